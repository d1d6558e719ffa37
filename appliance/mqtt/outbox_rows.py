"""The outbox table's operations (blocking; run them in the store thread).

A row is written in the same breath as the event it carries and marked
sent only when the broker has acknowledged it, so nothing is lost while
the broker is away or the box restarts. Sent rows are kept a while for
`aspa doctor`, then pruned.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from appliance.store.meta_values import read_meta, write_meta
from appliance.store.models import Outbox, database_proxy

DROPPED_KEY = "mqtt_outbox_dropped"
LAST_ERROR_KEY = "mqtt_last_error"  # "<ISO time> <what the daemon's link last reported>"
KEEP_SENT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One message for the outbox."""

    topic: str
    payload: str
    retain: bool = False


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One unsent message, as read back for publishing."""

    id: int
    topic: str
    payload: str
    qos: int
    retain: bool


def count_unsent() -> int:
    """How many messages wait for the broker."""
    return int(Outbox.select().where(Outbox.sent_at.is_null()).count())


def add_messages(messages: Sequence[OutgoingMessage], now: datetime, room: int,
                 meta: tuple[str, str] | None = None) -> int:
    """Store up to `room` messages in one transaction; the rest are counted as dropped.

    Returns how many were dropped. The oldest are kept: a consumer then sees
    one gap at the end, counted, rather than holes anywhere in the stream.
    `meta` (key, value) is written in the same transaction, e.g. "summary of
    this day queued", so a crash can neither lose nor repeat it.
    """
    kept = list(messages[: max(room, 0)])
    dropped = len(messages) - len(kept)
    with database_proxy.atomic():
        if meta is not None:
            set_meta(*meta)
        if kept:
            Outbox.insert_many([
                {"topic": m.topic, "payload": m.payload, "qos": 1, "retain": m.retain,
                 "created_at": now} for m in kept
            ]).execute()
        if dropped:
            _add_dropped(dropped)
    return dropped


def unsent_after(last_id: int, limit: int) -> list[OutboxRow]:
    """The next unsent messages after row `last_id`, oldest first."""
    query = (Outbox.select(Outbox.id, Outbox.topic, Outbox.payload, Outbox.qos, Outbox.retain)
             .where(Outbox.sent_at.is_null() & (Outbox.id > last_id))
             .order_by(Outbox.id).limit(limit).tuples())
    rows = cast(Iterable[tuple[int, str, str, int, bool]], query)
    return [OutboxRow(*row) for row in rows]


def mark_sent(ids: Sequence[int], now: datetime) -> None:
    """Mark acknowledged rows sent, and prune rows sent long ago."""
    with database_proxy.atomic():
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            Outbox.update(sent_at=now).where(Outbox.id.in_(ids[start:start + 500])).execute()
        Outbox.delete().where(Outbox.sent_at < now - KEEP_SENT).execute()


def dropped_total() -> int:
    """Messages dropped because the outbox was full, since the box was set up."""
    value = get_meta(DROPPED_KEY)
    return int(value) if value is not None else 0


def _add_dropped(count: int) -> None:
    set_meta(DROPPED_KEY, str(dropped_total() + count))


get_meta = read_meta
set_meta = write_meta
