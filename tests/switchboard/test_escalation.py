"""SLA warnings before the due time and the breach actions, driven by the injected clock."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.queue.escalation import POOL, EscalationRules
from appliance.spine.clock import ManualClock
from appliance.spine.events import SlaBreached, SlaWarning, TicketAssigned
from appliance.store.models import NoticeLogEntry
from appliance.store.work_items import ticket_id_of, ticket_item_id
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from appliance.switchboard.switchboard import ALERT_BATCH
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.priority import Priority
from tests.switchboard.customer_box import CustomerBox

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NO_RULES = CustomerRules(vip_priority=None, manager_rule=ManagerRule.OFF)


async def started(store: StoreWorker, rules: EscalationRules,
                  clock: ManualClock | None = None) -> CustomerBox:
    box = CustomerBox(store, clock or ManualClock(START), NO_RULES, rules)
    await box.start()
    return box


async def test_a_warning_at_80_percent_then_the_breach_raises_and_returns_to_the_pool(
        store: StoreWorker) -> None:
    rules = EscalationRules(warn_at=0.8, raise_to=Priority.URGENT, reassign_to=POOL)
    box = await started(store, rules)
    try:
        anna = await box.agent("anna")
        ticket = await box.tickets.open_ticket("email", "Lasku", assignee_id=anna)
        await box.settle()
        # normal: the first reply is due in 100 minutes (customer_box.POLICY)
        box.advance(79)
        assert await box.board.escalate() == []
        box.advance(1)
        (warning,) = await box.board.escalate()
        await box.settle()
        assert warning.stage.value == "warning"
        (told,) = box.of(SlaWarning)
        assert told.ticket_id == ticket.id and told.assignee_id == anna  # type: ignore[attr-defined]
        assert told.due == datetime(2026, 1, 5, 9, 40, tzinfo=UTC)  # type: ignore[attr-defined]
        assert await box.board.escalate() == []  # told once

        box.advance(20)
        (breach,) = await box.board.escalate()
        await box.settle()
        assert breach.stage.value == "breach"
        (breached,) = box.of(SlaBreached)
        assert breached.assignee_id == anna and breached.tell_team  # type: ignore[attr-defined]
        item = box.board.item(ticket_item_id(ticket.id))
        assert item is not None
        assert item.priority is Priority.URGENT and item.assignee_id is None
        assert box.of(TicketAssigned)[-1].assignee_id is None  # type: ignore[attr-defined]
    finally:
        await box.bus.stop()


async def test_a_breach_reassigns_to_the_named_agent(store: StoreWorker) -> None:
    rules = EscalationRules(warn_at=0, raise_to=None, reassign_to="esimies", tell_team=False)
    box = await started(store, rules)
    try:
        anna = await box.agent("anna")
        boss = await box.agent("esimies")
        ticket = await box.tickets.open_ticket("sms", "Vika", assignee_id=anna)
        await box.settle()
        box.advance(99)
        assert await box.board.escalate() == []  # warnings off
        box.advance(1)
        assert len(await box.board.escalate()) == 1
        await box.settle()
        item = box.board.item(ticket_item_id(ticket.id))
        assert item is not None and item.assignee_id == boss
        assert item.priority is Priority.NORMAL
        assert not box.of(SlaBreached)[0].tell_team  # type: ignore[attr-defined]
    finally:
        await box.bus.stop()


async def with_notices(box: CustomerBox) -> Notifier:
    """The notifier following the box's bus, as in the daemon (page only: no senders)."""
    notifier = Notifier(box.store, box.bus, box.clock, BusinessCalendar.twenty_four_seven(),
                        senders={})
    await notifier.start()
    return notifier


async def test_alerts_are_not_repeated_after_a_restart(store: StoreWorker) -> None:
    clock = ManualClock(START)
    first = await started(store, EscalationRules(raise_to=None), clock)
    try:
        await with_notices(first)
        await first.tickets.open_ticket("email", "Tilaus")
        await first.settle()
        clock.advance(100 * 60)
        assert len(await first.board.escalate()) == 1
        await first.settle()
    finally:
        await first.bus.stop()
    again = await started(store, EscalationRules(raise_to=None), clock)  # the daemon restarted
    try:
        await with_notices(again)
        assert await again.board.escalate() == []
        assert again.of(SlaBreached) == []
        kinds = await store.call(lambda: [(e.kind, e.state) for e in NoticeLogEntry.select()])
        assert kinds == [("sla-breach", "alert")]
    finally:
        await again.bus.stop()


async def test_a_breach_left_on_the_bus_by_a_stop_is_told_at_the_next_start_once(
        store: StoreWorker) -> None:
    clock = ManualClock(START)
    rules = EscalationRules(raise_to=None, tell_team=False)
    first = await started(store, rules, clock)
    try:
        anna = await first.agent("anna")
        await first.tickets.open_ticket("email", "Tilaus", assignee_id=anna)
        await first.settle()
        clock.advance(100 * 60)
        # the round claims the breach and publishes it; the stop comes before the notifier
        # (not following this bus) ever records anyone's notice
        assert len(await first.board.escalate()) == 1
    finally:
        await first.bus.stop()
    for restart in range(2):
        again = await started(store, rules, clock)
        try:
            await with_notices(again)
            told = await again.board.escalate()
            await again.settle()
            assert len(told) == (1 if restart == 0 else 0)
        finally:
            await again.bus.stop()
    rows = await store.call(lambda: sorted((e.kind, e.state, e.agent_id)
                                           for e in NoticeLogEntry.select()))
    assert rows == [("sla-breach", "alert", None), ("sla_breach", "page", anna)]


async def test_a_new_due_time_is_warned_of_again(store: StoreWorker) -> None:
    box = await started(store, EscalationRules(raise_to=None))
    try:
        ticket = await box.tickets.open_ticket("email", "Kysymys")
        await box.settle()
        box.advance(80)
        assert len(await box.board.escalate()) == 1
        await box.tickets.set_priority(ticket.id, "low")  # a new due time, 200 minutes
        await box.settle()
        assert await box.board.escalate() == []  # 80 of 200 minutes: all well again
        box.advance(80)
        assert len(await box.board.escalate()) == 1
    finally:
        await box.bus.stop()


async def test_more_breaches_than_one_batch_are_each_told_once(store: StoreWorker) -> None:
    # a first start on old open work: the round claims and tells them batch by batch
    rules = EscalationRules(warn_at=0, raise_to=None)
    box = await started(store, rules)
    try:
        count = ALERT_BATCH * 2 + 7
        for n in range(count):
            await box.tickets.open_ticket("email", f"Vanha {n}")
        await box.settle()
        box.advance(100)
        told = await box.board.escalate()
        await box.settle()
        assert len(told) == count
        breached = sorted(e.ticket_id for e in box.of(SlaBreached))  # type: ignore[attr-defined]
        assert breached == sorted(ticket_id_of(a.item.id) for a in told)
        assert NoticeLogEntry.select().count() == count
        assert await box.board.escalate() == []  # told once
    finally:
        await box.bus.stop()
