"""After-call items: opened when an agent's answered call ends, the agent's own, saved once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import peewee as pw
import pytest

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import AfterCallOpened, CallAnswered, CallEnded, CallOffered, Event
from appliance.store.after_calls import (
    NOTES_MAX_CHARS,
    after_call,
    open_after_calls,
    save_after_call,
    saved_for_customer,
)
from appliance.store.call_log import CallLog
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import AfterCall, Agent
from appliance.store.worker import StoreWorker

WAIT_S = 10.0


@pytest.fixture
async def bus(db: pw.Database, worker: StoreWorker) -> AsyncIterator[EventBus]:
    event_bus = EventBus()
    CallLog(db, CustomerDirectory(db), worker=worker).attach(event_bus)
    event_bus.start()
    yield event_bus
    await event_bus.stop()


def heard(bus: EventBus) -> list[Event]:
    events: list[Event] = []
    bus.subscribe("test", events.append, (AfterCallOpened,))
    return events


async def a_call(bus: EventBus, clock: ManualClock, call_id: str, *, agent_id: int | None,
                 number: str = "+358401234567") -> None:
    bus.publish(CallOffered(at=clock.now(), call_id=call_id, line="gsm0", number=number))
    clock.advance(8)
    if agent_id is not None:
        bus.publish(CallAnswered(at=clock.now(), call_id=call_id, wait_seconds=8.0,
                                 agent_id=agent_id))
        clock.advance(timedelta(minutes=2))
    bus.publish(CallEnded(at=clock.now(), call_id=call_id,
                          outcome="answered" if agent_id else "abandoned", wait_seconds=8.0))
    await asyncio.wait_for(bus.drain(), WAIT_S)


async def test_an_answered_call_opens_one_item_for_the_agent_who_took_it(
        db: pw.Database, bus: EventBus, clock: ManualClock) -> None:
    customer = CustomerDirectory(db).find_or_create_by_phone("040 123 4567", name="Matti")
    aino = Agent.create(name="Aino", login="aino")
    bertta = Agent.create(name="Bertta", login="bertta")
    events = heard(bus)
    await a_call(bus, clock, "c1", agent_id=aino.id)
    await a_call(bus, clock, "c2", agent_id=None)  # abandoned: nobody to write anything
    bus.publish(CallEnded(at=clock.now(), call_id="c1", outcome="answered"))  # a replay
    await asyncio.wait_for(bus.drain(), WAIT_S)

    items = open_after_calls(aino.id)
    assert [(i.call_ref, i.customer_id, i.customer_name, i.number) for i in items] == [
        ("c1", customer.id, "Matti", "+358401234567")]
    assert open_after_calls(bertta.id) == []
    assert AfterCall.select().count() == 1
    assert [(e.agent_id, e.customer_id) for e in events] == [(aino.id, customer.id)]


async def test_saving_keeps_the_notes_once_and_only_for_the_owner(
        db: pw.Database, bus: EventBus, clock: ManualClock) -> None:
    customer = CustomerDirectory(db).find_or_create_by_phone("040 123 4567", name="Matti")
    aino = Agent.create(name="Aino", login="aino")
    bertta = Agent.create(name="Bertta", login="bertta")
    await a_call(bus, clock, "c1", agent_id=aino.id)
    item_id = open_after_calls(aino.id)[0].id

    with pytest.raises(NotFound):
        save_after_call(item_id, bertta.id, notes="x", outcome="solved", follow_up_at=None,
                        follow_up_ticket_id=None, now=clock.now())
    with pytest.raises(InvalidInput):
        save_after_call(item_id, aino.id, notes="x", outcome="<b>made up</b>",
                        follow_up_at=None, follow_up_ticket_id=None, now=clock.now())
    with pytest.raises(InvalidInput):
        save_after_call(item_id, aino.id, notes="x" * (NOTES_MAX_CHARS + 1), outcome="solved",
                        follow_up_at=None, follow_up_ticket_id=None, now=clock.now())
    assert after_call(item_id).saved_at is None  # nothing half-saved

    saved = save_after_call(item_id, aino.id, notes="Lasku 2291 hyvitetään.", outcome="solved",
                            follow_up_at=None, follow_up_ticket_id=None, now=clock.now())
    assert (saved.notes, saved.outcome, saved.saved_at) == (
        "Lasku 2291 hyvitetään.", "solved", clock.now())
    assert open_after_calls(aino.id) == []
    assert [i.id for i in saved_for_customer(customer.id, 10)] == [item_id]
    with pytest.raises(InvalidInput):
        save_after_call(item_id, aino.id, notes="again", outcome="other", follow_up_at=None,
                        follow_up_ticket_id=None, now=clock.now())
    assert after_call(item_id).notes == "Lasku 2291 hyvitetään."
