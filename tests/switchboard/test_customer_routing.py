"""Routing by customer on every channel that waits in the queue: SMS, callbacks, email.

A VIP's work gets a raised priority; work whose customer has an account manager
is held for that agent first, then offered to everyone (or assigned at once).
"""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.ports.sms_inbox import IncomingSms
from appliance.presence.states import Presence
from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.spine.clock import ManualClock
from appliance.spine.events import TicketAssigned, TicketPriorityChanged
from appliance.store.models import Ticket
from appliance.store.work_items import ticket_item_id
from appliance.store.worker import StoreWorker
from appliance.switchboard.sms_filing import SmsIntake
from appliance.tickets.priority import Priority
from tests.switchboard.customer_box import CustomerBox

OFFER = CustomerRules(vip_priority=Priority.HIGH, manager_rule=ManagerRule.OFFER,
                      offer_first_s=600.0)
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


async def started(store: StoreWorker, rules: CustomerRules = OFFER) -> CustomerBox:
    box = CustomerBox(store, ManualClock(START), rules)
    await box.start()
    return box


async def sms_from(box: CustomerBox, number: str, text: str) -> None:
    intake = SmsIntake(box.store.db, box.bus, box.clock, box.store, box.tickets)
    await intake(IncomingSms(line="gsm0", number=number, text=text, timestamp=box.clock.now(),
                             received_at=box.clock.now(), sim_indexes=(1,), raw_pdus=("07",)))
    await box.settle()


async def test_a_vips_sms_is_raised_and_held_for_the_account_manager_first(
        store: StoreWorker) -> None:
    box = await started(store)
    try:
        anna = await box.agent("anna")
        pekka = await box.agent("pekka")
        await box.customer("phone", "+358401112222", vip=True, manager=anna)
        await sms_from(box, "+358401112222", "Tilaus on myöhässä")

        (item,) = box.board.items()
        assert item.priority is Priority.HIGH  # raised from normal, and written to the ticket
        assert await store.call(lambda: Ticket.get().priority) == "high"
        assert item.offered_to == anna
        assert box.board.next_for(anna) == item
        assert box.board.next_for(pekka) is None  # held for the manager

        box.advance(9)
        assert box.board.release_offers() == []
        assert box.board.next_for(pekka) is None
        box.advance(1)  # ten minutes: everyone may take it
        assert box.board.release_offers() == [item.id]
        assert box.board.next_for(pekka) is not None
        assert box.board.next_for(pekka).offered_to is None  # type: ignore[union-attr]
    finally:
        await box.bus.stop()


async def test_a_callback_for_a_managed_customer_goes_to_the_manager_first(
        store: StoreWorker) -> None:
    box = await started(store)
    try:
        anna = await box.agent("anna")
        pekka = await box.agent("pekka")
        customer = await box.customer("phone", "+358405556666", manager=anna)
        await box.tickets.open_ticket("callback", "Soittopyyntö", customer)
        await box.settle()

        (item,) = box.board.items()
        assert item.priority is Priority.NORMAL  # not a VIP: the priority stays
        assert box.board.next_for(pekka) is None
        taken = box.board.take(anna)
        assert taken.id == item.id and taken.assignee_id == anna
    finally:
        await box.bus.stop()


async def test_a_manager_who_is_away_does_not_hold_the_work(store: StoreWorker) -> None:
    box = await started(store)
    try:
        anna = await box.agent("anna", available=False)  # offline: like a call, no waiting
        pekka = await box.agent("pekka")
        customer = await box.customer("phone", "+358407778888", vip=True, manager=anna)
        await box.tickets.open_ticket("sms", "Kysymys", customer)
        await box.settle()
        assert box.board.next_for(pekka) is not None

        # held while the manager is in; released the moment they leave
        box.presence(anna, Presence.AVAILABLE)
        await box.tickets.open_ticket("callback", "Soita", customer)
        await box.settle()
        held = [i for i in box.board.items() if i.offered_to == anna]
        assert len(held) == 1
        box.presence(anna, Presence.AWAY)
        assert [i for i in box.board.items() if i.offered_to is not None] == []
    finally:
        await box.bus.stop()


async def test_the_assign_rule_gives_the_work_to_the_manager_at_once(store: StoreWorker) -> None:
    box = await started(store, CustomerRules(vip_priority=Priority.URGENT,
                                             manager_rule=ManagerRule.ASSIGN))
    try:
        anna = await box.agent("anna")
        customer = await box.customer("phone", "+358409990000", vip=True, manager=anna)
        ticket = await box.tickets.open_ticket("sms", "Kiire", customer)
        await box.settle()

        item = box.board.item(ticket_item_id(ticket.id))
        assert item is not None and item.assignee_id == anna
        assert item.priority is Priority.URGENT
        assert [(e.assignee_id, e.agent_id) for e in box.of(TicketAssigned)] == [(anna, None)]  # type: ignore[attr-defined]
        assert [e.new_priority for e in box.of(TicketPriorityChanged)] == ["urgent"]  # type: ignore[attr-defined]
    finally:
        await box.bus.stop()


async def test_work_of_other_customers_is_not_touched(store: StoreWorker) -> None:
    box = await started(store)
    try:
        anna = await box.agent("anna")
        customer = await box.customer("phone", "+358401234000")
        await box.tickets.open_ticket("sms", "Hei", customer)
        await box.tickets.open_ticket("email", "No customer")
        await box.settle()
        assert {i.priority for i in box.board.items()} == {Priority.NORMAL}
        assert all(i.offered_to is None for i in box.board.items())
        assert box.board.next_for(anna) is not None
        assert box.of(TicketPriorityChanged) == [] and box.of(TicketAssigned) == []
    finally:
        await box.bus.stop()
