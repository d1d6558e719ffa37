"""The call log: call events become Call rows with their times, the caller's customer linked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import (
    CallAnswered,
    CallbackCreated,
    CallEnded,
    CallOffered,
    CallRinging,
)
from appliance.store.call_log import UNKNOWN_LINE, CallLog
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Agent, Call, Ticket
from appliance.store.worker import StoreWorker

WAIT_S = 10.0


@pytest.fixture
async def bus(db: pw.Database, worker: StoreWorker) -> AsyncIterator[EventBus]:
    event_bus = EventBus()
    CallLog(db, CustomerDirectory(db), worker=worker).attach(event_bus)
    event_bus.start()
    yield event_bus
    await event_bus.stop()


async def test_answered_call_is_logged_with_its_times_and_customer(
    db: pw.Database, bus: EventBus, clock: ManualClock
) -> None:
    customer = CustomerDirectory(db).find_or_create_by_phone("040 123 4567")
    agent = Agent.create(name="Aino", login="aino")
    offered_at = clock.now()
    bus.publish(CallOffered(at=offered_at, call_id="c1", line="gsm0", number="+358401234567"))
    clock.advance(4)
    bus.publish(CallRinging(at=clock.now(), call_id="c1", agent_ids=(agent.id,)))
    clock.advance(6)
    answered = CallAnswered(at=clock.now(), call_id="c1", wait_seconds=10.0, agent_id=agent.id)
    bus.publish(answered)
    clock.advance(timedelta(minutes=3))
    bus.publish(CallEnded(at=clock.now(), call_id="c1", outcome="answered", wait_seconds=10.0,
                          talk_seconds=180.0))
    bus.publish(answered)  # a replay changes nothing
    await asyncio.wait_for(bus.drain(), WAIT_S)

    call = Call.get(Call.call_ref == "c1")
    assert (call.line, call.number, call.customer_id, call.agent_id) == (
        "gsm0", "+358401234567", customer.id, agent.id)
    assert call.offered_at == offered_at
    assert call.answered_at == offered_at + timedelta(seconds=10)
    assert call.ended_at == clock.now() and call.outcome == "answered"
    assert (call.wait_seconds, call.ring_seconds, call.talk_seconds) == (10.0, 6.0, 180.0)


async def test_missed_call_with_callback_links_the_ticket(
    bus: EventBus, clock: ManualClock
) -> None:
    ticket = Ticket.create(number=1001, channel="callback")
    bus.publish(CallOffered(at=clock.now(), call_id="c2", line="gsm0", number=None,
                            number_status="withheld"))
    clock.advance(30)
    bus.publish(CallEnded(at=clock.now(), call_id="c2", outcome="abandoned", wait_seconds=30.0))
    bus.publish(CallbackCreated(at=clock.now(), call_id="c2", number=None, reason="abandoned",
                                ticket_id=ticket.id))
    await asyncio.wait_for(bus.drain(), WAIT_S)
    call = Call.get(Call.call_ref == "c2")
    assert (call.outcome, call.wait_seconds, call.answered_at) == ("abandoned", 30.0, None)
    assert call.customer_id is None and call.number_status == "withheld"
    assert call.ticket_id == ticket.id


async def test_a_call_first_heard_of_at_its_end_is_still_logged(
    bus: EventBus, clock: ManualClock
) -> None:
    bus.publish(CallEnded(at=clock.now(), call_id="c3", outcome="interrupted"))
    await asyncio.wait_for(bus.drain(), WAIT_S)
    call = Call.get(Call.call_ref == "c3")
    assert (call.line, call.outcome) == (UNKNOWN_LINE, "interrupted")
