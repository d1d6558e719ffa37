"""Pending until a time: out of the queue until then, back through the switchboard with an
event for the assignee when the (injected) clock reaches it, or at once when the customer
writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from appliance.runtime.pending_returns import PendingReturns
from appliance.spine.clock import ManualClock
from appliance.spine.events import (
    Event,
    TicketPendingSet,
    TicketReturned,
    TicketStatusChanged,
)
from appliance.store.accounts import Accounts
from appliance.store.errors import InvalidInput
from appliance.store.models import Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.work_items import ticket_item_id
from appliance.store.worker import StoreWorker
from appliance.tickets import BusinessCalendar, TransitionError
from tests.switchboard.test_switchboard import Box

DAY = timedelta(days=1)
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    made = Box(store, ManualClock())
    yield made
    await made.bus.stop()
    store.close()


def heard(box: Box) -> list[Event]:
    events: list[Event] = []
    box.bus.subscribe("test", events.append, [TicketPendingSet, TicketReturned,
                                              TicketStatusChanged])
    return events


async def agent(box: Box) -> int:
    anna = await box.store.call(Accounts(box.store.db, box.clock).add_user,
                                "Anna", "anna", "agent", "anna-password-1")
    return int(anna.id)


async def test_back_in_the_queue_when_the_time_comes(box: Box) -> None:
    anna = await agent(box)
    await box.start()
    events = heard(box)
    ticket = await box.tickets.open_ticket("email", "Odottaa osaa", assignee_id=anna)
    until = box.clock.now() + DAY
    await box.tickets.set_pending(ticket.id, until, "Osa tilattu", by=anna)
    assert ticket_item_id(ticket.id) not in box.ids()
    stored = await box.store.call(Ticket.get_by_id, ticket.id)
    assert (stored.status, stored.pending_until, stored.pending_reason) == (
        "pending", until, "Osa tilattu")

    box.clock.advance(DAY - timedelta(seconds=1))
    assert await box.board.return_due_pending() == []
    assert ticket_item_id(ticket.id) not in box.ids()

    box.clock.advance(timedelta(seconds=1))
    assert await box.board.return_due_pending() == [ticket.number]
    assert ticket_item_id(ticket.id) in box.ids()  # filed before anyone hears of it
    await box.bus.drain()
    assert [(type(e).__name__, getattr(e, "why", None)) for e in events] == [
        ("TicketStatusChanged", None), ("TicketPendingSet", None),
        ("TicketStatusChanged", None), ("TicketReturned", "time")]
    returned = events[-1]
    assert isinstance(returned, TicketReturned) and returned.assignee_id == anna
    stored = await box.store.call(Ticket.get_by_id, ticket.id)
    assert (stored.status, stored.pending_until, stored.pending_reason) == ("open", None, "")
    assert await box.board.return_due_pending() == []  # once only


async def test_a_customer_reply_brings_it_back_at_once(box: Box) -> None:
    anna = await agent(box)
    await box.start()
    events = heard(box)
    ticket = await box.tickets.open_ticket("email", "Kysymys", assignee_id=anna)
    await box.tickets.set_pending(ticket.id, box.clock.now() + 3 * DAY, "Odotetaan vastausta")
    await box.tickets.reopen_on_customer_reply(ticket.id, MessageDraft(
        channel="email", direction="in", body_text="Tässä tiedot.", sender="a@b.fi"))
    assert ticket_item_id(ticket.id) in box.ids()
    await box.bus.drain()
    assert isinstance(events[-1], TicketReturned) and events[-1].why == "reply"
    assert events[-1].assignee_id == anna
    stored = await box.store.call(Ticket.get_by_id, ticket.id)
    assert (stored.status, stored.pending_until) == ("open", None)
    box.clock.advance(4 * DAY)
    assert await box.board.return_due_pending() == []


async def test_earliest_first_and_many_at_once(box: Box) -> None:
    await box.start()
    later = await box.tickets.open_ticket("email", "later")
    sooner = await box.tickets.open_ticket("email", "sooner")
    await box.tickets.set_pending(later.id, box.clock.now() + 2 * DAY, "")
    await box.tickets.set_pending(sooner.id, box.clock.now() + DAY, "")
    box.clock.advance(3 * DAY)
    assert await box.board.return_due_pending() == [sooner.number, later.number]


async def test_the_daemon_part_asks_the_switchboard(box: Box) -> None:
    await box.start()
    ticket = await box.tickets.open_ticket("email", "x")
    await box.tickets.set_pending(ticket.id, box.clock.now() + DAY, "")
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        box.clock.advance(DAY)  # the night passes while the part sleeps

    part = PendingReturns(box.board.return_due_pending, sleep=sleep)
    assert await part.check_once() == []
    await sleep(30.0)
    assert await part.check_once() == [ticket.number]
    assert part.health().ok and "1 pending" in part.health().detail


async def test_a_wrong_time_or_status_is_refused_and_changes_nothing(box: Box) -> None:
    await box.start()
    ticket = await box.tickets.open_ticket("email", "x")
    for until, reason, problem in (
            (box.clock.now(), "", "in the future"),
            (box.clock.now() - DAY, "", "in the future"),
            (box.clock.now().replace(tzinfo=None) + DAY, "", "time zone"),
            (box.clock.now() + DAY, "x" * 501, "too long")):
        with pytest.raises(InvalidInput, match=problem):
            await box.tickets.set_pending(ticket.id, until, reason)
    closed = await box.tickets.open_ticket("email", "closed")
    await box.tickets.change_status(closed.id, "closed")
    with pytest.raises(TransitionError):
        await box.tickets.set_pending(closed.id, box.clock.now() + DAY, "")
    stored = await box.store.call(Ticket.get_by_id, ticket.id)
    assert (stored.status, stored.pending_until) == ("new", None)


async def test_a_closed_office_means_its_next_opening(tmp_path: Path) -> None:
    """Pending until Saturday 10:00 at an office open Mon–Fri 8–16: back on Monday at 8:00."""
    db = open_store(tmp_path / "hours.db")
    db.close()
    store = StoreWorker(db)
    saturday = datetime(2026, 1, 10, 10, 0, tzinfo=HELSINKI)
    made = Box(store, ManualClock(datetime(2026, 1, 8, 12, 0, tzinfo=HELSINKI)))
    calendar = BusinessCalendar.from_hours(
        HELSINKI, {day: [(time(8), time(16))] for day in range(5)})
    made.tickets = TicketBook(store.db, made.bus, made.clock, worker=store, calendar=calendar)
    try:
        await made.start()
        ticket = await made.tickets.open_ticket("email", "x")
        stored = await made.tickets.set_pending(ticket.id, saturday, "")
        monday_eight = datetime(2026, 1, 12, 8, 0, tzinfo=HELSINKI)
        assert stored.pending_until == monday_eight
        made.clock.set(saturday)
        assert await made.board.return_due_pending() == []
        made.clock.set(monday_eight)
        assert await made.board.return_due_pending() == [ticket.number]
    finally:
        await made.bus.stop()
        store.close()
