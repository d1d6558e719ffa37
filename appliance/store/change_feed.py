"""The change feed: events raised in another process, waiting for the running daemon.

A command-line process changes the store directly (`aspa mail import`, `aspa user
add`, `aspa customer erase`, ...). Its events go into this table, in the same
transaction as the change where it can; the daemon reads the feed behind it and
publishes each event on its own bus, so the queue, the live pages, MQTT, the LEDs
and the history hear of the change as if the daemon had made it. A daemon that was
not running catches up when it starts. Blocking: run in a store thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from appliance.spine.events import Event
from appliance.store.meta_values import read_meta, write_meta
from appliance.store.models import ChangeFeedEntry, database_proxy

SEEN_KEY = "change_feed.seen"  # the id of the last entry the daemon has published
READ_MAX = 500  # entries read in one go


def record_changes(events: Iterable[Event], source: str) -> int:
    """Append events for the daemon (one transaction, joined to the caller's if any)."""
    rows = [{"source": source[:64], "payload": event.payload()} for event in events]
    if not rows:
        return 0
    with database_proxy.atomic():
        ChangeFeedEntry.insert_many(rows).execute()
    return len(rows)


def unseen_changes(limit: int = READ_MAX) -> list[tuple[int, dict[str, Any]]]:
    """The entries after the last one published, oldest first: (id, payload)."""
    seen = int(read_meta(SEEN_KEY) or 0)
    query = (ChangeFeedEntry.select(ChangeFeedEntry.id, ChangeFeedEntry.payload)
             .where(ChangeFeedEntry.id > seen).order_by(ChangeFeedEntry.id).limit(limit))
    return [(int(row.id), cast(dict[str, Any], row.payload)) for row in query]


def mark_seen(last_id: int) -> None:
    """The daemon has published everything up to `last_id`: remember it, drop those rows.

    The newest row stays: SQLite hands out max(id) + 1 for a new row, so with the
    table emptied an id already marked seen would come again and be passed over.
    """
    with database_proxy.atomic():
        write_meta(SEEN_KEY, str(last_id))
        ChangeFeedEntry.delete().where(ChangeFeedEntry.id < last_id).execute()
