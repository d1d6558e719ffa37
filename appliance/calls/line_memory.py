"""Keeps what each line learned about hand-over methods across restarts (Meta table).

These are blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

import json

from appliance.queue.connect_methods import ConnectKnowledge
from appliance.store.models import Meta

_KEY = "line.connect.{line}"


def load_knowledge(line: str) -> ConnectKnowledge:
    """What `line` learned before; nothing when never stored or unreadable."""
    row = Meta.get_or_none(Meta.key == _KEY.format(line=line))
    if row is None:
        return ConnectKnowledge()
    try:
        return ConnectKnowledge.from_record(json.loads(row.value))
    except (ValueError, TypeError, AttributeError):
        return ConnectKnowledge()  # a damaged value only costs one more try of each method


def save_knowledge(line: str, knowledge: ConnectKnowledge) -> None:
    """Store what `line` has learned."""
    value = json.dumps(knowledge.as_record(), sort_keys=True)
    Meta.insert(key=_KEY.format(line=line), value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()
