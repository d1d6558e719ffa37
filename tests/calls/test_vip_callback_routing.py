"""A VIP's missed call becomes a callback owed with a raised priority, held for their account
manager first, like the call itself (which rang the manager first)."""

from __future__ import annotations

from pathlib import Path

from appliance.presence import call_started
from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.spine.events import CallRecorded
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket, database_proxy
from appliance.tickets.priority import Priority

from .exchange_harness import CALLER, start_exchange, stop_exchange

RULES = CustomerRules(vip_priority=Priority.HIGH, manager_rule=ManagerRule.OFFER,
                      offer_first_s=600.0)
MANAGER = 2


def _vip_caller() -> None:
    customer, _ = CustomerDirectory(database_proxy.obj).find_or_create("phone", CALLER)
    Customer.update(vip=True, account_manager=MANAGER).where(
        Customer.id == customer.id).execute()


async def test_a_vips_callback_is_raised_and_held_for_the_account_manager(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, seed=_vip_caller, customer_rules=RULES)
    try:
        for agent in (1, 2, 3):
            exchange.set_agent(agent, call_started)  # everyone on a call: the caller overflows
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded, within=6.0)
        assert recorded.outcome == "overflowed"
        await exchange.settle()
        await exchange.bus.drain()
        await exchange.board.caught_up()
        ticket = await exchange.query(lambda: Ticket.get(Ticket.channel == "callback"))
        assert ticket.priority == "high"
        item = exchange.board.item(f"ticket:{ticket.id}")
        assert item is not None and item.offered_to == MANAGER
        assert item.priority is Priority.HIGH
    finally:
        await stop_exchange(exchange)
