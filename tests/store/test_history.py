"""The history writer: every event once, in batches, kept through a failing database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallOffered, HealthChanged, TicketCreated
from appliance.store.history import HistoryWriter, history_of_customer
from appliance.store.models import Customer, HistoryEntry, Ticket
from appliance.store.worker import StoreWorker

WAIT_S = 10.0


@pytest.fixture
async def bus() -> AsyncIterator[EventBus]:
    event_bus = EventBus()
    yield event_bus
    await event_bus.stop()


@pytest.fixture
def writer(db: pw.Database, worker: StoreWorker, bus: EventBus) -> HistoryWriter:
    history = HistoryWriter(db, worker=worker, retry_delays_s=(0.01, 0.05))
    history.attach(bus)
    return history


class ErrorsSeen(logging.Handler):
    """Sets `reached` once the writer has logged `wanted` errors (it logs on the loop)."""

    def __init__(self, wanted: int) -> None:
        super().__init__(logging.ERROR)
        self.wanted = wanted
        self.text: list[str] = []
        self.reached = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.text.append(record.getMessage())
        if len(self.text) >= self.wanted:
            self.reached.set()


def call_offered(clock: ManualClock, customer_id: int | None) -> CallOffered:
    return CallOffered(at=clock.now(), customer_id=customer_id, call_id="c1", line="gsm0",
                       number="+358401234567")


async def test_every_event_becomes_one_row(
    writer: HistoryWriter, bus: EventBus, clock: ManualClock
) -> None:
    customer = Customer.create(name="Matti")
    ticket = Ticket.create(number=1001, channel="call", customer=customer.id)
    offered = call_offered(clock, customer.id)
    created = TicketCreated(at=clock.now(), customer_id=customer.id, ticket_id=ticket.id,
                            number=1001, channel="call", subject="", priority="normal")
    bus.start()
    bus.publish(offered)
    bus.publish(created)
    await asyncio.wait_for(bus.drain(), WAIT_S)
    rows = history_of_customer(customer.id)
    assert [r.kind for r in rows] == ["ticket.created", "call.offered"]  # newest first
    assert rows[0].ticket_id == ticket.id and rows[0].event_id == created.event_id
    assert rows[1].data["number"] == "+358401234567" and rows[1].at == clock.now()


async def test_a_replayed_event_is_not_recorded_twice(
    writer: HistoryWriter, bus: EventBus, clock: ManualClock
) -> None:
    event = call_offered(clock, None)
    bus.start()
    bus.publish(event)
    bus.publish(event)
    await asyncio.wait_for(bus.drain(), WAIT_S)
    bus.publish(event)
    await asyncio.wait_for(bus.drain(), WAIT_S)
    assert HistoryEntry.select().where(HistoryEntry.event_id == event.event_id).count() == 1
    assert writer.written == 1
    assert writer.record([event]) == 0


async def test_queued_events_are_written_in_batches(
    writer: HistoryWriter, bus: EventBus, clock: ManualClock
) -> None:
    for i in range(300):
        bus.publish(HealthChanged(at=clock.now(), part=f"disk{i}", ok=True))
    bus.start()
    await asyncio.wait_for(bus.drain(), WAIT_S)
    assert HistoryEntry.select().count() == 300 == writer.written
    assert writer.batches < 10


async def test_events_wait_out_a_failing_database_and_none_is_lost(
    db: pw.Database, writer: HistoryWriter, bus: EventBus, clock: ManualClock
) -> None:
    db.execute_sql("ALTER TABLE history_entry RENAME TO history_entry_away")
    bus.start()
    events = [HealthChanged(at=clock.now(), part="modem", ok=i % 2 == 0) for i in range(5)]
    errors = ErrorsSeen(wanted=2)
    log = logging.getLogger("aspa.store.history")
    log.addHandler(errors)
    try:
        for event in events:
            bus.publish(event)
        await asyncio.wait_for(errors.reached.wait(), WAIT_S)
    finally:
        log.removeHandler(errors)
    assert writer.failures >= 2
    assert events[0].event_id in errors.text[0]  # the log names the events it holds
    db.execute_sql("ALTER TABLE history_entry_away RENAME TO history_entry")
    await asyncio.wait_for(bus.drain(), WAIT_S)
    stored = {r.event_id for r in HistoryEntry.select(HistoryEntry.event_id)}
    assert stored == {e.event_id for e in events}


async def test_an_event_naming_a_missing_row_is_kept_without_the_link(
    writer: HistoryWriter, bus: EventBus, clock: ManualClock
) -> None:
    real = Customer.create(name="Liisa")
    orphan = call_offered(clock, 4242)
    fine = call_offered(clock, real.id)
    bus.publish(orphan)
    bus.publish(fine)
    bus.start()
    await asyncio.wait_for(bus.drain(), WAIT_S)
    kept = HistoryEntry.get(HistoryEntry.event_id == orphan.event_id)
    assert kept.customer_id is None and kept.data["customer_id"] == 4242
    assert HistoryEntry.get(HistoryEntry.event_id == fine.event_id).customer_id == real.id
