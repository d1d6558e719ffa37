"""Keeps what each line learned about hand-over methods across restarts (Meta table).

These are blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

import json

from appliance.queue.connect_methods import ConnectKnowledge
from appliance.store.meta_values import read_meta, write_meta

_KEY = "line.connect.{line}"


def load_knowledge(line: str) -> ConnectKnowledge:
    """What `line` learned before; nothing when never stored or unreadable."""
    value = read_meta(_KEY.format(line=line))
    if value is None:
        return ConnectKnowledge()
    try:
        return ConnectKnowledge.from_record(json.loads(value))
    except (ValueError, TypeError, AttributeError):
        return ConnectKnowledge()  # a damaged value only costs one more try of each method


def save_knowledge(line: str, knowledge: ConnectKnowledge) -> None:
    """Store what `line` has learned."""
    write_meta(_KEY.format(line=line), json.dumps(knowledge.as_record(), sort_keys=True))
