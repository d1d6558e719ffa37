"""The daemon's live picture: open tickets from the store, kept current from events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.presence.channel import Channel
from appliance.presence.states import Activity, AgentState, Presence
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallEnded, CallOffered, PresenceChanged
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.live_picture import CoreState, call_item_id
from appliance.switchboard.open_work import ticket_id_of, ticket_item_id
from appliance.tickets.priority import Priority


class Box:
    """A store, a bus with the core subscribed, and a ticket book writing through them."""

    def __init__(self, store: StoreWorker, clock: ManualClock) -> None:
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.core = CoreState(store)
        self.tickets = TicketBook(store.db, self.bus, clock, worker=store)

    async def start(self) -> None:
        await self.core.load()
        self.bus.subscribe("core", self.core.on_event)
        self.bus.start()

    def ids(self) -> list[str]:
        return [item.id for item in self.core.queue]


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    made = Box(store, ManualClock())
    yield made
    await made.bus.stop()
    store.close()


async def test_load_reads_only_open_work_with_its_customer(box: Box) -> None:
    agent = await box.store.call(Accounts(box.store.db, box.clock).add_user,
                                 "Anna", "anna", "agent", "anna-password-1")
    directory = CustomerDirectory(box.store.db)
    vip, _ = await box.store.call(directory.find_or_create, "phone", "+358401112222")
    await box.store.call(lambda: Customer.update(vip=True, account_manager=agent.id)
                         .where(Customer.id == vip.id).execute())
    mail = await box.tickets.open_ticket("email", "mail", vip.id, "high")
    callback = await box.tickets.open_ticket("call", "missed call")
    waiting = await box.tickets.open_ticket("email", "waiting for the customer")
    await box.tickets.change_status(waiting.id, "pending")
    done = await box.tickets.open_ticket("sms", "done")
    await box.tickets.change_status(done.id, "closed")
    merged = await box.tickets.open_ticket("email", "merged away")
    await box.store.call(lambda: Ticket.update(merged_into=mail.id)
                         .where(Ticket.id == merged.id).execute())

    await box.start()
    assert sorted(box.ids()) == sorted([ticket_item_id(mail.id), ticket_item_id(callback.id)])
    item = box.core.queue.get(ticket_item_id(mail.id))
    assert item.kind is Channel.EMAIL
    assert item.priority is Priority.HIGH
    assert item.vip and item.account_manager_id == agent.id and item.customer_id == vip.id
    assert item.sla_due == mail.first_response_due  # not answered yet: the first response
    # a stored call record is owed a callback, never a live call
    assert box.core.queue.get(ticket_item_id(callback.id)).kind is Channel.CALLBACK
    assert box.core.agents[agent.id].presence is Presence.OFFLINE


async def test_ticket_events_keep_the_queue_current(box: Box) -> None:
    await box.start()
    first = await box.tickets.open_ticket("email", "first")
    second = await box.tickets.open_ticket("sms", "second", priority="urgent")
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(second.id), ticket_item_id(first.id)]
    await box.tickets.change_status(second.id, "pending")
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(first.id)]
    await box.tickets.change_status(second.id, "open")
    await box.tickets.change_status(first.id, "resolved")
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(second.id)]


async def test_a_live_call_waits_first_until_it_ends(box: Box) -> None:
    await box.start()
    ticket = await box.tickets.open_ticket("email", "urgent mail", priority="urgent")
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    box.bus.publish(CallOffered(at=at, call_id="c1", line="gsm0", number="+358401234567"))
    await box.bus.drain()
    assert box.ids() == [call_item_id("c1"), ticket_item_id(ticket.id)]
    box.bus.publish(CallEnded(at=at + timedelta(seconds=30), call_id="c1", outcome="abandoned"))
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(ticket.id)]


async def test_a_late_presence_event_does_not_undo_a_newer_change(box: Box) -> None:
    await box.start()
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    # The agent pressed "busy" a second after routing had made them available; the
    # routing's event is still on its way through the bus.
    box.core.agents[7] = AgentState(agent_id=7, presence=Presence.BUSY,
                                    changed_at=at + timedelta(seconds=1))
    box.bus.publish(PresenceChanged(at=at, agent_id=7, presence="available", activity="idle",
                                    source="routing"))
    await box.bus.drain()
    state = box.core.agents[7]
    assert (state.presence, state.activity) == (Presence.BUSY, Activity.IDLE)


def test_work_item_ids_round_trip() -> None:
    assert ticket_id_of(ticket_item_id(42)) == 42
    assert ticket_id_of(call_item_id("42")) is None
    assert ticket_id_of("ticket:x") is None
