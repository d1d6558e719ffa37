"""The history writer: every event on the bus becomes one HistoryEntry row, exactly once.

It subscribes to the bus as "history", writes what has queued up in one
transaction, skips event ids already stored (a replay adds nothing) and never
drops an event: a failed write is logged with the events and retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import peewee as pw

from appliance.spine.bus import EventBus, Subscription
from appliance.spine.events import Event
from appliance.store.models import Agent, Customer, HistoryEntry, Ticket
from appliance.store.quick_sql import run_many
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.store.history")

BATCH_MAX = 500  # events written in one transaction
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # then every 30 s until the database is back
_REFS = (("customer", Customer), ("ticket", Ticket), ("agent", Agent))


class HistoryWriter:
    """Records events as HistoryEntry rows in batches, in the store thread."""

    def __init__(
        self,
        db: pw.Database,
        *,
        worker: StoreWorker | None = None,
        retry_delays_s: Sequence[float] = RETRY_DELAYS_S,
    ) -> None:
        self.db = db
        self.worker = worker or StoreWorker(db, name="history")
        self.retry_delays_s = tuple(retry_delays_s) or RETRY_DELAYS_S
        self.written = 0  # rows added
        self.batches = 0  # transactions that added them
        self.failures = 0  # failed attempts, each retried
        self._sub: Subscription | None = None

    def attach(self, bus: EventBus) -> Subscription:
        """Subscribe to every event on the bus."""
        self._sub = bus.subscribe("history", self.handle)
        return self._sub

    async def handle(self, event: Event) -> None:
        """Write this event and whatever else is already queued, retrying until stored."""
        extra = self._take_queued()
        batch = [event, *extra]
        attempt = 0
        while True:
            try:
                self.written += await self.worker.call(self.record, batch)
                self.batches += 1
                break
            except Exception as error:
                self.failures += 1
                delay = self.retry_delays_s[min(attempt, len(self.retry_delays_s) - 1)]
                log.error(
                    "history: could not store %d events (%s); retrying in %.1f s: %s",
                    len(batch), error, delay, ", ".join(f"{e.kind} {e.event_id}" for e in batch),
                )
                attempt += 1
                await asyncio.sleep(delay)
        if self._sub is not None:
            for _ in extra:
                self._sub.queue.task_done()

    def _take_queued(self) -> list[Event]:
        if self._sub is None:
            return []
        taken: list[Event] = []
        while len(taken) < BATCH_MAX - 1 and not self._sub.queue.empty():
            taken.append(self._sub.queue.get_nowait())
        return taken

    def record(self, events: Iterable[Event]) -> int:
        """Store events not stored yet; returns how many rows were added. Blocking."""
        unique = {e.event_id: e for e in events}
        try:
            with self.db.atomic():
                return self._insert_new(list(unique.values()))
        except pw.IntegrityError:
            # One bad event (e.g. naming a ticket since deleted) must not hold up the
            # rest: store them one by one, each keeping what it can.
            return sum(self._record_one(e) for e in unique.values())

    def _insert_new(self, events: list[Event]) -> int:
        if not events:
            return 0
        stored = set(
            HistoryEntry.select(HistoryEntry.event_id)
            .where(HistoryEntry.event_id.in_([e.event_id for e in events]))
            .tuples()
            .iterator()
        )
        rows = [_values(e) for e in events if (e.event_id,) not in stored]
        if rows:
            run_many(self.db, _insert_sql(self.db), rows)
        return len(rows)

    def _record_one(self, event: Event) -> int:
        try:
            with self.db.atomic():
                return self._insert_new([event])
        except pw.IntegrityError as error:
            log.warning("history: %s %s refers to a row that is gone (%s); stored without links",
                        event.kind, event.event_id, error)
            with self.db.atomic():
                return self._insert_new_unlinked(event)

    def _insert_new_unlinked(self, event: Event) -> int:
        if HistoryEntry.select().where(HistoryEntry.event_id == event.event_id).exists():
            return 0
        row = _row(event)
        for column, model in _REFS:
            pk = model._meta.primary_key
            if row[column] is not None and not model.select().where(pk == row[column]).exists():
                row[column] = None  # the id stays in the payload
        HistoryEntry.insert(row).execute()
        return 1


# The columns of one history row, in the order _values gives them.
_COLUMNS = ("at", "kind", "event_id", "customer_id", "ticket_id", "agent_id", "data")
_AT_VALUE = HistoryEntry.at.db_value
_DATA_VALUE = HistoryEntry.data.db_value


def _insert_sql(db: pw.Database) -> str:
    columns = ", ".join(f'"{name}"' for name in _COLUMNS)
    params = ", ".join([db.param] * len(_COLUMNS))
    return f'INSERT INTO "{HistoryEntry._meta.table_name}" ({columns}) VALUES ({params})'


def _values(event: Event) -> tuple[Any, ...]:
    """One event's row as the database takes it: the fields' own conversions, no query built."""
    return (_AT_VALUE(event.at), event.kind, event.event_id, event.customer_id,
            event.ticket_id, event.agent_id, _DATA_VALUE(event.payload()))


def _row(event: Event) -> dict[str, Any]:
    return {
        "at": event.at,
        "kind": event.kind,
        "event_id": event.event_id,
        "customer": event.customer_id,
        "ticket": event.ticket_id,
        "agent": event.agent_id,
        "data": event.payload(),
    }


def history_of_customer(
    customer_id: int, *, limit: int = 100, before_id: int | None = None
) -> list[HistoryEntry]:
    """A customer's history, newest first, `limit` rows at a time (pass the last id on)."""
    query = HistoryEntry.select().where(HistoryEntry.customer == customer_id)
    if before_id is not None:
        query = query.where(HistoryEntry.id < before_id)
    return list(query.order_by(HistoryEntry.id.desc()).limit(max(1, min(limit, 500))))
