"""The switchboard's live picture: open tickets from the store, kept current by its writers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.presence.channel import Channel
from appliance.presence.states import Presence
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallEnded, CallOffered, CustomerChanged
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.work_items import call_item_id, ticket_id_of, ticket_item_id
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.tickets.priority import Priority


class Box:
    """A store, a bus, the switchboard following it and a ticket book filing through it."""

    def __init__(self, store: StoreWorker, clock: ManualClock) -> None:
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.board = Switchboard(store, self.bus, clock)
        self.tickets = TicketBook(store.db, self.bus, clock, worker=store)
        # another process's writes: the same store, told only through the bus
        self.elsewhere = TicketBook(store.db, self.bus, clock, worker=store)

    async def start(self) -> None:
        await self.board.load()
        self.board.use_tickets(self.tickets)
        self.board.attach()
        self.bus.start()

    def ids(self) -> list[str]:
        return [item.id for item in self.board.items()]


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
    item = box.board.item(ticket_item_id(mail.id))
    assert item is not None and item.kind is Channel.EMAIL
    assert item.priority is Priority.HIGH
    assert item.vip and item.account_manager_id == agent.id and item.customer_id == vip.id
    assert item.sla_due == mail.first_response_due  # not answered yet: the first response
    # a stored call record is owed a callback, never a live call
    owed = box.board.item(ticket_item_id(callback.id))
    assert owed is not None and owed.kind is Channel.CALLBACK
    state = box.board.agent(agent.id)
    assert state is not None and state.presence is Presence.OFFLINE
    assert box.board.agent_id("anna") == agent.id


async def test_the_ticket_book_files_before_anyone_hears_of_the_change(box: Box) -> None:
    await box.start()
    first = await box.tickets.open_ticket("email", "first")
    second = await box.tickets.open_ticket("sms", "second", priority="urgent")
    # no drain: the write itself filed the item
    assert box.ids() == [ticket_item_id(second.id), ticket_item_id(first.id)]
    await box.tickets.change_status(second.id, "pending")
    assert box.ids() == [ticket_item_id(first.id)]
    await box.tickets.change_status(second.id, "open")
    await box.tickets.change_status(first.id, "resolved")
    assert box.ids() == [ticket_item_id(second.id)]


async def test_writes_of_another_process_reach_the_queue_through_the_bus(box: Box) -> None:
    await box.start()
    first = await box.elsewhere.open_ticket("email", "first")
    second = await box.elsewhere.open_ticket("sms", "second", priority="urgent")
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(second.id), ticket_item_id(first.id)]
    await box.elsewhere.change_status(second.id, "pending")
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(first.id)]


async def test_raising_the_priority_moves_the_ticket_up(box: Box) -> None:
    await box.start()
    older = await box.tickets.open_ticket("email", "older, normal")
    box.clock.advance(60)
    newer = await box.tickets.open_ticket("email", "newer, normal")
    assert box.ids() == [ticket_item_id(older.id), ticket_item_id(newer.id)]
    raised = await box.tickets.set_priority(newer.id, "urgent")
    assert raised.priority == "urgent"
    assert raised.first_response_due < older.first_response_due  # the SLA follows the priority
    assert box.ids() == [ticket_item_id(newer.id), ticket_item_id(older.id)]


async def test_a_merged_ticket_leaves_the_queue(box: Box) -> None:
    await box.start()
    source = await box.tickets.open_ticket("email", "duplicate")
    target = await box.tickets.open_ticket("email", "the real one")
    await box.tickets.merge(source.id, target.id)
    assert box.ids() == [ticket_item_id(target.id)]


async def test_a_customer_made_vip_elsewhere_is_read_again(box: Box) -> None:
    await box.start()
    directory = CustomerDirectory(box.store.db)
    customer, _ = await box.store.call(directory.find_or_create, "phone", "+358401112222")
    ticket = await box.tickets.open_ticket("sms", "hello", customer.id)
    await box.store.call(lambda: Customer.update(vip=True).where(Customer.id == customer.id)
                         .execute())
    box.bus.publish(CustomerChanged(at=box.clock.now(), customer_id=customer.id,
                                    fields=("vip",)))
    await box.bus.drain()
    item = box.board.item(ticket_item_id(ticket.id))
    assert item is not None and item.vip


async def test_a_live_call_waits_first_until_it_ends(box: Box) -> None:
    await box.start()
    ticket = await box.tickets.open_ticket("email", "urgent mail", priority="urgent")
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    box.bus.publish(CallOffered(at=at, call_id="c1", line="gsm0", number="+358401234567"))
    await box.bus.drain()
    assert box.ids() == [call_item_id("c1"), ticket_item_id(ticket.id)]
    assert [c.id for c in box.board.waiting_calls()] == [call_item_id("c1")]
    assert box.board.position(call_item_id("c1")) == 1
    box.bus.publish(CallEnded(at=at + timedelta(seconds=30), call_id="c1", outcome="abandoned"))
    await box.bus.drain()
    assert box.ids() == [ticket_item_id(ticket.id)]


def test_work_item_ids_round_trip() -> None:
    assert ticket_id_of(ticket_item_id(42)) == 42
    assert ticket_id_of(call_item_id("42")) is None
    assert ticket_id_of("ticket:x") is None
