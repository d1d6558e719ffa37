"""The ticket book: human numbers, lifecycle, SLA clocks kept in rows, events after commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import (
    Event,
    MessageAdded,
    TicketAssigned,
    TicketCreated,
    TicketStatusChanged,
)
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, Customer, Message, Ticket
from appliance.store.ticket_numbers import FIRST_TICKET_NUMBER
from appliance.store.ticket_records import TicketRecords
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker
from appliance.tickets import ReplyAction, SlaPolicy, SlaTarget, TransitionError
from appliance.tickets.priority import Priority

POLICY = SlaPolicy({Priority.NORMAL: SlaTarget(60, 240)})  # minutes; the calendar is 24/7
CUSTOMER_MAIL = MessageDraft(channel="email", direction="in", body_text="Apua!",
                             sender="asiakas@example.fi")
AGENT_REPLY = MessageDraft(channel="email", direction="out", body_text="Hoidetaan.")


class Recorder:
    """Collects what the bus delivers, as a real subscriber would."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe("test", self.events.append)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
async def bus() -> AsyncIterator[EventBus]:
    event_bus = EventBus()
    event_bus.start()
    yield event_bus
    await event_bus.stop()


@pytest.fixture
def book(db: pw.Database, bus: EventBus, clock: ManualClock, worker: StoreWorker) -> TicketBook:
    return TicketBook(db, bus, clock, worker=worker, policy=POLICY)


async def test_numbers_start_at_1001_and_follow_on(book: TicketBook) -> None:
    numbers = [(await book.open_ticket("email", f"asia {i}")).number for i in range(3)]
    assert numbers == [FIRST_TICKET_NUMBER, FIRST_TICKET_NUMBER + 1, FIRST_TICKET_NUMBER + 2]


async def test_a_deleted_tickets_number_is_never_handed_out_again(
    book: TicketBook, worker: StoreWorker
) -> None:
    first = await book.open_ticket("email", "vanha")
    newest = await book.open_ticket("email", "poistuva")
    # Retention or erasure removes the newest ticket; its number stays spent.
    await worker.call(lambda: Ticket.delete().where(Ticket.number == newest.number).execute())
    following = await book.open_ticket("email", "uusi")
    assert (first.number, newest.number, following.number) == (
        FIRST_TICKET_NUMBER, FIRST_TICKET_NUMBER + 1, FIRST_TICKET_NUMBER + 2)


async def test_concurrent_writers_get_unique_sequential_numbers(
    db: pw.Database, bus: EventBus, clock: ManualClock
) -> None:
    workers = [StoreWorker(db, name=f"writer{i}") for i in range(4)]
    books = [TicketBook(db, bus, clock, worker=w) for w in workers]
    try:
        tickets = await asyncio.gather(
            *(book.open_ticket("sms", f"{i}") for book in books for i in range(10))
        )
    finally:
        for w in workers:
            w.close()
    numbers = sorted(t.number for t in tickets)
    assert numbers == list(range(FIRST_TICKET_NUMBER, FIRST_TICKET_NUMBER + 40))
    assert Ticket.select().count() == 40


async def test_open_ticket_with_first_message_publishes_after_commit(
    book: TicketBook, bus: EventBus, clock: ManualClock
) -> None:
    recorder = Recorder(bus)
    customer = Customer.create(name="Matti")
    ticket = await book.open_ticket("email", "Lasku", customer.id, message=CUSTOMER_MAIL)
    await bus.drain()
    assert recorder.kinds() == ["ticket.created", "message.added"]
    created, added = recorder.events
    assert isinstance(created, TicketCreated) and isinstance(added, MessageAdded)
    assert (created.number, created.ticket_id, created.customer_id) == (
        ticket.number, ticket.id, customer.id)
    assert Message.get_by_id(added.message_id).body_text == "Apua!"
    stored = Ticket.get_by_id(ticket.id)
    assert stored.status == "new"
    assert stored.first_response_due == clock.now() + timedelta(minutes=60)
    assert stored.resolution_due == clock.now() + timedelta(minutes=240)


async def test_bad_input_writes_nothing_and_publishes_nothing(
    book: TicketBook, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    with pytest.raises(InvalidInput, match="channel"):
        await book.open_ticket("fax", "x")
    with pytest.raises(InvalidInput, match="priority"):
        await book.open_ticket("email", "x", priority="whenever")
    with pytest.raises(NotFound, match="customer 999"):
        await book.open_ticket("email", "x", 999)
    with pytest.raises(InvalidInput, match="direction"):
        await book.open_ticket("email", "x", message=MessageDraft(channel="email", direction="up"))
    await bus.drain()
    assert Ticket.select().count() == 0 and recorder.events == []


async def test_lifecycle_rules_come_from_the_core(book: TicketBook, bus: EventBus) -> None:
    recorder = Recorder(bus)
    ticket = await book.open_ticket("email", "x")
    await book.change_status(ticket.id, "open")
    await book.change_status(ticket.id, "closed")
    with pytest.raises(TransitionError):
        await book.change_status(ticket.id, "open")
    await bus.drain()
    stored = Ticket.get_by_id(ticket.id)
    assert stored.status == "closed" and stored.closed_at is not None
    assert stored.resolved_at is not None  # closed counts as resolved for service debt
    changes = [(e.old_status, e.new_status) for e in recorder.events
               if isinstance(e, TicketStatusChanged)]
    assert changes == [("new", "open"), ("open", "closed")]


async def test_pending_pauses_the_sla_and_reopening_resumes_what_was_left(
    book: TicketBook, clock: ManualClock
) -> None:
    ticket = await book.open_ticket("email", "x")
    clock.advance(timedelta(minutes=100))
    await book.change_status(ticket.id, "pending")
    paused = Ticket.get_by_id(ticket.id)
    assert paused.sla_running_since is None and paused.resolution_due is None
    assert paused.sla_paused_at == clock.now()
    assert paused.sla_resolution_used_s == pytest.approx(100 * 60)
    clock.advance(timedelta(days=3))  # the customer's time does not count
    await book.change_status(ticket.id, "open")
    resumed = Ticket.get_by_id(ticket.id)
    assert resumed.sla_paused_at is None
    assert resumed.resolution_due == clock.now() + timedelta(minutes=140)


async def test_first_reply_stops_the_first_response_clock(
    book: TicketBook, clock: ManualClock
) -> None:
    ticket = await book.open_ticket("email", "x", message=CUSTOMER_MAIL)
    clock.advance(timedelta(minutes=20))
    await book.add_message(ticket.id, AGENT_REPLY)
    clock.advance(timedelta(minutes=20))
    await book.add_message(ticket.id, AGENT_REPLY)
    stored = Ticket.get_by_id(ticket.id)
    assert stored.first_responded_at == clock.now() - timedelta(minutes=20)
    assert stored.sla_first_response_used_s == pytest.approx(20 * 60)
    assert stored.resolution_due == stored.created_at + timedelta(minutes=240)


async def test_customer_reply_reopens_resolved_and_starts_anew_after_closed(
    book: TicketBook, bus: EventBus
) -> None:
    recorder = Recorder(bus)
    customer = Customer.create(name="Liisa")
    ticket = await book.open_ticket("email", "Tilaus", customer.id, message=CUSTOMER_MAIL)
    await book.change_status(ticket.id, "resolved")

    landed, message, action = await book.reopen_on_customer_reply(ticket.id, CUSTOMER_MAIL)
    assert action is ReplyAction.REOPEN and landed.id == ticket.id
    assert Ticket.get_by_id(ticket.id).status == "open" and message.ticket_id == ticket.id

    landed, _, action = await book.reopen_on_customer_reply(ticket.id, CUSTOMER_MAIL)
    assert action is ReplyAction.KEEP and landed.status == "open"

    await book.change_status(ticket.id, "closed")
    landed, message, action = await book.reopen_on_customer_reply(ticket.id, CUSTOMER_MAIL)
    assert action is ReplyAction.NEW_TICKET
    assert landed.id != ticket.id and landed.number == ticket.number + 1
    assert (landed.customer_id, landed.subject) == (customer.id, "Tilaus")
    assert message.ticket_id == landed.id
    assert Ticket.get_by_id(ticket.id).status == "closed"
    await bus.drain()
    assert recorder.kinds()[-3:] == ["ticket.status", "ticket.created", "message.added"]


async def test_assign_and_unassign(book: TicketBook, bus: EventBus) -> None:
    recorder = Recorder(bus)
    agent = Agent.create(name="Aino", login="aino")
    ticket = await book.open_ticket("call", "soitto")
    await book.assign(ticket.id, agent.id, by=agent.id)
    await book.assign(ticket.id, agent.id)  # no change, no event
    await book.assign(ticket.id, None)
    with pytest.raises(NotFound):
        await book.assign(ticket.id, 4242)
    await bus.drain()
    assigned = [e.assignee_id for e in recorder.events if isinstance(e, TicketAssigned)]
    assert assigned == [agent.id, None]
    assert Ticket.get_by_id(ticket.id).assignee_id is None


def test_reads_page_through_without_loading_everything(
    db: pw.Database, clock: ManualClock
) -> None:
    records = TicketRecords(db, clock)
    agent = Agent.create(name="Aino", login="aino")
    for i in range(7):
        written = records.open_ticket("email", f"t{i}", message=MessageDraft(
            channel="email", direction="in", message_id=f"<m{i}@example.fi>"))
        if i % 2:
            records.assign(written.ticket.id, agent.id)
    first = records.page(limit=3)
    assert [t.number for t in first] == [1007, 1006, 1005]
    assert [t.number for t in records.page(below_number=first[-1].number, limit=3)] == [
        1004, 1003, 1002]
    assert [t.number for t in records.page(assignee_id=agent.id, status="new")] == [
        1006, 1004, 1002]
    found = records.by_message_id("<m3@example.fi>")
    assert found is not None and found.number == 1004
    assert records.by_number(1001) is not None and records.by_number(999) is None
    for note in ("yksi", "kaksi", "kolme"):
        records.add_message(first[0].id, MessageDraft(channel="note", direction="internal",
                                                      body_text=note))
    opening = records.messages(first[0].id, limit=2)
    rest = records.messages(first[0].id, after_id=opening[-1].id)
    assert [m.body_text for m in opening + rest] == ["", "yksi", "kaksi", "kolme"]
