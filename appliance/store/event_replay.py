"""The latest events of some kinds, read back from the history: for a part that may have
missed them when the daemon last stopped (a stop waits for the bus only so long). Blocking;
run in the store thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from appliance.spine.event_codec import UnknownEvent, event_from_payload
from appliance.spine.events import Event
from appliance.store.models import HistoryEntry

REPLAY_MAX = 2_000  # the newest events read back at most


def events_since(kinds: Sequence[str], since: datetime, limit: int = REPLAY_MAX) -> list[Event]:
    """Recorded events of `kinds` from `since` on, oldest first (the newest `limit` of them)."""
    rows = (HistoryEntry.select(HistoryEntry.data)
            .where(HistoryEntry.kind.in_(list(kinds)) & (HistoryEntry.at >= since))
            .order_by(HistoryEntry.id.desc()).limit(limit).tuples().iterator())
    found = []
    for (data,) in rows:
        try:
            found.append(event_from_payload(data))
        except UnknownEvent:
            continue  # written by another version: nothing to tell of it
    found.reverse()
    return found
