"""Calls no agent takes: each ends as a callback ticket, a Call row and (where asked) an SMS."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from appliance.presence import Activity, Presence, call_started, set_presence
from appliance.queue.call_commands import Prompt
from appliance.queue.call_setup import SMS_TEXTS, FlowRules, WaitingCallMode
from appliance.spine.events import AgentPaused, CallRecorded
from appliance.store.models import Call, Ticket
from appliance.tickets.business_calendar import BusinessCalendar

from .exchange_harness import (
    AGENT_PHONES,
    CALLER,
    PROMPTS,
    RunningExchange,
    quick_group,
    start_exchange,
    stop_exchange,
)


async def _callback_rows(exchange: RunningExchange) -> tuple[Call, Ticket]:
    await exchange.settle()

    def read() -> tuple[Call, Ticket]:
        call = Call.get()
        return call, Ticket.get_by_id(call.ticket_id)

    return await exchange.query(read)


async def test_no_answer_rings_the_next_member_and_counts_the_miss(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.dialled(AGENT_PHONES[1])  # after agent 1's 0.4 s ring time
        first_leg = exchange.traffic()[2]
        assert exchange.traffic()[:5] == [
            "ATA", "AT+CHLD=2", first_leg, "AT+CHLD=12", f"ATD{AGENT_PHONES[1]};"]
        assert exchange.agents[1].missed_in_row == 1
        await exchange.until(lambda: exchange.agents[2].activity is Activity.RINGING)
        await exchange.sim.remote_answers()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.agent_id) == ("answered", 2)
        assert recorded.ring_seconds >= 0.4
    finally:
        await stop_exchange(exchange)


async def test_all_agents_busy_overflows_to_a_callback_and_an_sms(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        for agent in (1, 2, 3):
            exchange.set_agent(agent, call_started)
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded, within=4.0)
        assert (recorded.outcome, recorded.reason) == ("overflowed", "max_wait")
        assert recorded.wait_seconds >= 1.5
        call, ticket = await _callback_rows(exchange)
        assert exchange.traffic()[0] == "AT+CHUP"  # the caller, never answered, hears busy
        assert exchange.traffic()[1].startswith("AT+CMGS=")
        # the SMS may still be on its way to the modem when the call is recorded
        await exchange.until(lambda: exchange.sent_sms() == [(CALLER, SMS_TEXTS["fi"])])
        assert (ticket.channel, ticket.customer_id, ticket.assignee_id) == (
            "callback", call.customer_id, None)
        assert CALLER in ticket.subject
    finally:
        await stop_exchange(exchange)


async def test_nobody_available_overflows_at_once(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, rules=FlowRules(sms_on_callback=False))
    try:
        for agent in (1, 2, 3):
            exchange.set_agent(agent, lambda s, now: set_presence(s, Presence.AWAY, now))
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.reason) == ("overflowed", "nobody_available")
        assert exchange.traffic() == ["AT+CHUP"]
        assert exchange.sent_sms() == []
    finally:
        await stop_exchange(exchange)


async def test_caller_hanging_up_while_waiting_is_abandoned_with_a_callback(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, group=quick_group(max_wait_s=30))
    try:
        for agent in (1, 2, 3):
            exchange.set_agent(agent, call_started)
        index = await exchange.sim.incoming_call(CALLER)
        await exchange.sim.wait_for_command("AT+CLCC", start=exchange.mark)  # the line has seen it
        await exchange.settle()
        await exchange.sim.remote_hangs_up(index)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert recorded.outcome == "abandoned"
        call, ticket = await _callback_rows(exchange)
        assert call.outcome == "abandoned" and ticket.channel == "callback"
        assert exchange.traffic() == []  # nothing to say to a caller who is gone
        assert exchange.sent_sms() == []
    finally:
        await stop_exchange(exchange)


async def test_outside_hours_plays_the_closed_message_then_owes_a_callback(
        tmp_path: Path) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).weekday()
    closed_now = BusinessCalendar.from_hours("UTC", {tomorrow: [(time(9), time(10))]})
    exchange = await start_exchange(tmp_path, model="sim800", calendar=closed_now, prompts=PROMPTS)
    try:
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert recorded.outcome == "closed"
        await exchange.wait_command("AT+CHUP")
        traffic = exchange.traffic()
        assert traffic[:2] == ["ATA", 'AT+CREC=4,"C:\\User\\closed.amr",0,90']
        assert traffic[-1] == "AT+CHUP"
        # the SMS may still be on its way to the modem when the call is recorded
        closed_sms = FlowRules().closed_sms_texts["fi"]
        await exchange.until(lambda: exchange.sent_sms() == [(CALLER, closed_sms)])
        assert not any(c.startswith("ATD") for c in traffic)
        _call, ticket = await _callback_rows(exchange)
        assert ticket.channel == "callback"
    finally:
        await stop_exchange(exchange)


async def test_a_greeting_plays_before_the_agent_is_dialled(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, model="sim800", prompts=PROMPTS)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        assert exchange.traffic() == [
            "ATA", 'AT+CREC=4,"C:\\User\\greeting.amr",0,90', "AT+CHLD=2",
            f"ATD{AGENT_PHONES[0]};"]
        assert Prompt.GREETING in exchange.line.prompts
    finally:
        await stop_exchange(exchange)


async def test_agent_missing_offers_in_a_row_is_paused_and_told(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, missed_limit=1)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[1])
        paused = await exchange.log.wait_for(AgentPaused)
        assert paused.agent_id == 1 and "missed offers" in paused.reason
        assert exchange.agents[1].presence is Presence.AWAY
    finally:
        await stop_exchange(exchange)


async def test_a_second_caller_on_a_busy_line_is_refused_into_a_callback(
        tmp_path: Path) -> None:
    rules = FlowRules(waiting_calls=WaitingCallMode.BUSY)
    exchange = await start_exchange(tmp_path, rules=rules,
                                    prepare=lambda s: s.network_rejects.add("ect"))
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        await exchange.wait_command("AT+CHLD=3")
        await exchange.settle()
        await exchange.sim.incoming_call("+358409999999")
        refused = await exchange.log.wait_for(CallRecorded, lambda e: e.outcome == "refused")
        assert refused.number == "+358409999999"
        assert "AT+CHLD=0" in exchange.traffic()  # TS 27.007 §7.13: the waiting caller hears busy
        # the SMS may still be on its way to the modem when the call is recorded
        await exchange.until(lambda: exchange.sent_sms() == [("+358409999999", SMS_TEXTS["fi"])])
        assert len(exchange.sim.calls) == 2  # the conference goes on
    finally:
        await stop_exchange(exchange)


async def test_a_vip_rings_their_account_manager_first(tmp_path: Path) -> None:
    def vip_customer() -> None:
        from appliance.store.models import ContactPoint, Customer

        customer = Customer.create(name="Big Client", vip=True, account_manager=3)
        ContactPoint.create(customer=customer, kind="phone", value=CALLER)

    exchange = await start_exchange(tmp_path, seed=vip_customer)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[2])
        assert exchange.traffic()[2] == f"ATD{AGENT_PHONES[2]};"
    finally:
        await stop_exchange(exchange)


async def test_a_ring_group_nobody_can_be_rung_in_still_ends_as_a_callback(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, numbers={})
    try:
        await exchange.sim.incoming_call(CALLER)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.reason) == ("overflowed", "no_reachable_member")
        _call, ticket = await _callback_rows(exchange)
        assert "soittoryhmässä ei ole tavoitettavaa jäsentä" in ticket.subject
        assert exchange.traffic()[0] == "AT+CHUP"
    finally:
        await stop_exchange(exchange)
