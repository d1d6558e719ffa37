"""The daemon as configured: routing by customer and escalation from aspa.toml, the timed
checks run by the escalation watch on the daemon's clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from appliance.presence.states import Presence
from appliance.presence.transitions import set_presence
from appliance.runtime.escalation_watch import EscalationWatch
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, SlaBreached
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer
from appliance.switchboard.notifier import Notifier
from tests.desk.box_daemon import START, box_config, started_daemon


async def test_the_daemon_routes_by_customer_and_escalates_on_its_clock(tmp_path: Path) -> None:
    clock = ManualClock(START)  # Monday 09:00 UTC: the office is open
    config = box_config(tmp_path, routing={"offer_first_minutes": 5},
                        escalation={"breach_priority": "urgent", "breach_reassign": "liisa"})
    daemon = await started_daemon(config, clock)
    try:
        board, tickets, store = daemon.switchboard, daemon.tickets, daemon.store
        assert board is not None and tickets is not None and store is not None
        watch = next(a for a in daemon.supervisor.adapters if isinstance(a, EscalationWatch))
        assert any(isinstance(a, Notifier) for a in daemon.supervisor.adapters)
        told: list[Event] = []
        daemon.bus.subscribe("test", told.append, [SlaBreached])
        anna, pekka = board.agent_id("anna"), board.agent_id("pekka")
        assert anna is not None and pekka is not None
        for agent in (anna, pekka):
            board.change_presence(agent, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                                  source="web")
        directory = CustomerDirectory(store.db)
        vip, _ = await store.call(directory.find_or_create, "phone", "+358409998877")
        await store.call(lambda: Customer.update(vip=True, account_manager=anna)
                         .where(Customer.id == vip.id).execute())
        ticket = await tickets.open_ticket("sms", "Kiireellinen", vip.id)
        await daemon.bus.drain()
        await board.caught_up()
        item = board.item(f"ticket:{ticket.id}")
        assert item is not None and item.priority.value == "high" and item.offered_to == anna
        assert board.next_for(pekka) is None

        clock.advance(timedelta(minutes=5))
        await watch.check_once()
        assert board.next_for(pekka) is not None  # the manager's five minutes are up

        clock.advance(timedelta(hours=3))  # past the first-reply target of a high ticket
        await watch.check_once()
        await daemon.bus.drain()
        await board.caught_up()
        assert [e.ticket_id for e in told] == [ticket.id]
        item = board.item(f"ticket:{ticket.id}")
        assert item is not None and item.priority.value == "urgent"
        assert item.assignee_id == board.agent_id("liisa")
    finally:
        await daemon.stop()
