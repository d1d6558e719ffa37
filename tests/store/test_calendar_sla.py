"""Tickets on an office calendar with a yearly holiday and a half day, on an injected clock:
SLA due times and pending returns follow the calendar."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.tickets import BusinessCalendar, DayRule, SlaPolicy, SlaTarget
from appliance.tickets.priority import Priority

HEL = ZoneInfo("Europe/Helsinki")
OFFICE = BusinessCalendar.from_hours(
    HEL, dict.fromkeys(range(5), ((time(8), time(16)),)),
    yearly_holidays=[DayRule(12, 24), DayRule(12, 25), DayRule(12, 26)],
    half_days=[(DayRule(12, 23), [(time(8), time(12))])])
POLICY = SlaPolicy({Priority.NORMAL: SlaTarget(120, 600)})  # business minutes


def local(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HEL)


@pytest.fixture
async def book(db: pw.Database, worker: StoreWorker,
               clock: ManualClock) -> AsyncIterator[TicketBook]:
    bus = EventBus()
    bus.start()
    yield TicketBook(db, bus, clock, worker=worker, policy=POLICY, calendar=OFFICE)
    await bus.stop()


async def test_due_times_skip_the_short_afternoon_and_the_yearly_holidays(
        book: TicketBook, clock: ManualClock) -> None:
    clock.advance(local(12, 23, 11) - clock.now())  # Thursday 23 December 2027, 11:00
    ticket = await book.open_ticket("email", "Joulun toimitus")
    # two business hours: one until the half day closes at 12, then 24-26 are holidays,
    # Monday the 27th opens at 8
    assert ticket.first_response_due == local(12, 27, 9)


async def test_a_pending_ticket_due_on_a_closed_afternoon_returns_at_the_next_opening(
        book: TicketBook, clock: ManualClock) -> None:
    clock.advance(local(12, 22, 10) - clock.now())
    ticket = await book.open_ticket("email", "Odottaa osaa")
    waiting = await book.set_pending(ticket.id, local(12, 23, 14), "osa tulossa")
    assert waiting.pending_until == local(12, 27, 8)
    clock.advance(local(12, 27, 8) - clock.now() - timedelta(seconds=1))
    assert await book.return_due_pending() == []
    clock.advance(timedelta(seconds=1))
    assert [t.id for t in await book.return_due_pending()] == [ticket.id]
