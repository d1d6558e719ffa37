"""The exchange on a SIP trunk: baresip as voip0, sipp callers and agents' SIP phones.

The same flows as on the GSM line, through the real exchange: ring all in
parallel, a hunt past a phone nobody answers, a refused transfer and the
fallback the line learns, a caller who hangs up, baresip killed mid-call,
and one queue served by a modem and the SIP trunk together.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from appliance.presence import Activity
from appliance.queue import RingStrategy
from appliance.queue.call_flow_state import Phase
from appliance.queue.call_setup import FlowRules
from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.events import CallRecorded, CallRinging, LineLearned
from appliance.store.models import Call, Ticket
from appliance.voip.adapter import VoipLineAdapter
from tests.voip.conftest import box_target, loopback_settings

from .exchange_harness import AGENT_PHONES, CALLER, quick_group
from .voip_exchange_harness import BRIDGE_FIRST, VoipExchange, phones, start_voip_exchange

WITHIN_S = 10.0  # sipp and baresip on a loaded machine; every wait ends on an event


def voip_records(running: VoipExchange) -> list[CallRecorded]:
    return [e for e in running.exchange.log.of(CallRecorded) if e.line == "voip0"]


async def callback_ticket(running: VoipExchange, call_id: str) -> Ticket:
    await running.exchange.settle()
    return await running.exchange.query(
        lambda: Ticket.get_by_id(Call.get(Call.call_ref == call_id).ticket_id))


async def test_ring_all_rings_both_phones_and_the_first_to_answer_gets_the_caller(
        tmp_path: Path) -> None:
    answering, silent = phones(tmp_path, "agent_answers.xml", "agent_no_answer.xml")
    running = await start_voip_exchange(
        tmp_path, {1: silent.uri, 2: answering.uri},
        group=quick_group(RingStrategy.RINGALL, ring_timeout_s=5.0, max_wait_s=10.0))
    try:
        running.sipps += [await answering.start(), await silent.start()]
        await running.caller("caller_talks_then_hangs_up.xml")
        ringing = await running.exchange.log.wait_for(CallRinging, within=WITHIN_S)
        assert ringing.agent_ids == (1, 2)  # both phones at once, not one after the other
        recorded = await running.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.line, recorded.outcome, recorded.agent_id, recorded.method) == (
            "voip0", "answered", 2, "conference")  # joined through the box
        assert recorded.talk_seconds > 1.0
        # the silent phone saw its INVITE, then a CANCEL once the other answered
        assert await silent.finished() == 0, silent.errors()
        assert await answering.finished() == 0, answering.errors()
        assert running.exchange.agents[1].activity is not Activity.RINGING
    finally:
        await running.stop()


async def test_linear_hunt_moves_past_the_phone_nobody_answers(tmp_path: Path) -> None:
    silent, answering = phones(tmp_path, "agent_no_answer.xml", "agent_answers.xml")
    running = await start_voip_exchange(
        tmp_path, {1: silent.uri, 2: answering.uri}, knowledge=BRIDGE_FIRST,
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=0.6, max_wait_s=10.0))
    try:
        running.sipps += [await silent.start(), await answering.start()]
        await running.caller("caller_talks_then_hangs_up.xml")
        recorded = await running.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.outcome, recorded.agent_id, recorded.method) == (
            "answered", 2, "conference")
        rung = [e.agent_ids for e in running.exchange.log.of(CallRinging)]
        assert rung == [(1,), (2,)]
        assert running.exchange.agents[1].missed_in_row == 1
        assert await silent.finished() == 0, silent.errors()  # cancelled after its ring time
        assert await answering.finished() == 0, answering.errors()
    finally:
        await running.stop()


async def test_a_hunt_hands_the_caller_over_by_blind_transfer(tmp_path: Path) -> None:
    (phone,) = phones(tmp_path, "agent_answers.xml")
    running = await start_voip_exchange(
        tmp_path, {1: phone.uri},
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=5.0, max_wait_s=10.0))
    # the customer's own SIP phone: a second baresip, which follows a REFER (RFC 3515)
    customer = VoipLineAdapter(loopback_settings(name="customer", user="customer"),
                               running.exchange.bus, running.exchange.exchange.clock,
                               tmp_path / "customer")
    try:
        running.sipps.append(await phone.start())
        await customer.start()
        await customer.line.dial(f"sip:aspa@{box_target(running.box)}")
        recorded = await running.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.line, recorded.outcome, recorded.agent_id, recorded.method) == (
            "voip0", "deflected", 1, "deflect")
        learned = await running.exchange.log.wait_for(LineLearned)
        assert (learned.method, learned.works) == ("deflect", True)
        assert running.box.line.calls == ()  # the box is out of the call
        await customer.stop()  # the customer hangs up on the agent: the phone sees a BYE
        assert await phone.finished() == 0, phone.errors()
    finally:
        await customer.stop()
        await running.stop()


async def test_refused_transfer_is_a_callback_and_the_line_bridges_from_then_on(
        tmp_path: Path) -> None:
    (phone,) = phones(tmp_path, "agent_answers.xml")
    running = await start_voip_exchange(
        tmp_path, {1: phone.uri}, rules=FlowRules(sms_on_callback=False),
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=5.0,
                          max_wait_s=10.0))
    try:
        running.sipps.append(await phone.start())
        refuser = await running.caller("caller_refuses_refer.xml")
        first = await running.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        # a blind transfer is tried first; baresip 1.0 drops a caller who refuses it
        assert (first.outcome, first.reason) == ("interrupted", "hand_over_refused")
        ticket = await callback_ticket(running, first.call_id)
        assert ticket.channel == "callback"
        learned = await running.exchange.log.wait_for(LineLearned)
        assert (learned.line, learned.method, learned.works) == ("voip0", "deflect", False)
        assert ConnectMethod.DEFLECT in (await running.stored_knowledge()).refused
        assert await refuser.finished() == 0, refuser.errors()
        await running.caller("caller_talks_then_hangs_up.xml")
        second = await running.exchange.log.wait_for(
            CallRecorded, lambda e: e.call_id != first.call_id, within=WITHIN_S)
        assert (second.outcome, second.agent_id, second.method) == (
            "answered", 1, "conference")
        assert await phone.finished() == 0, phone.errors()
    finally:
        await running.stop()


async def test_caller_hanging_up_while_a_phone_rings_is_owed_a_callback(tmp_path: Path) -> None:
    (phone,) = phones(tmp_path, "agent_no_answer.xml")
    running = await start_voip_exchange(
        tmp_path, {1: phone.uri}, knowledge=BRIDGE_FIRST,
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=8.0,
                          max_wait_s=10.0))
    try:
        running.sipps.append(await phone.start())
        caller = await running.caller("caller_hangs_up.xml")
        recorded = await running.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.line, recorded.outcome, recorded.agent_id) == (
            "voip0", "abandoned", None)
        ticket = await callback_ticket(running, recorded.call_id)
        assert ticket.channel == "callback"
        assert await phone.finished() == 0, phone.errors()  # its ringing was cancelled
        assert await caller.finished() == 0, caller.errors()
        assert running.exchange.agents[1].activity is Activity.IDLE
    finally:
        await running.stop()


async def test_baresip_killed_mid_call_interrupts_it_and_owes_a_callback(tmp_path: Path) -> None:
    (phone,) = phones(tmp_path, "agent_answers.xml")
    running = await start_voip_exchange(
        tmp_path, {1: phone.uri}, knowledge=BRIDGE_FIRST,
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=5.0,
                          max_wait_s=10.0))
    try:
        running.sipps.append(await phone.start())
        await running.caller("caller_waits.xml")
        exchange = running.exchange
        await exchange.until(lambda: exchange.agents[1].activity is Activity.ON_CALL, WITHIN_S)
        await exchange.until(lambda: any(f.phase is Phase.CONFERENCE
                                     for f in exchange.exchange.flows.values()), WITHIN_S)
        process = running.box.supervisor.process
        assert process is not None and process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        recorded = await exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.line, recorded.outcome, recorded.agent_id) == (
            "voip0", "interrupted", 1)
        ticket = await callback_ticket(running, recorded.call_id)
        assert (ticket.channel, ticket.assignee_id) == ("callback", 1)
        assert exchange.agents[1].activity is not Activity.ON_CALL
    finally:
        await running.stop()


async def test_a_modem_and_the_sip_trunk_serve_one_queue(tmp_path: Path) -> None:
    (phone,) = phones(tmp_path, "agent_answers.xml")
    # agent 1 has a mobile (reached from the modem), agent 2 a SIP exchange phone
    running = await start_voip_exchange(
        tmp_path, {1: AGENT_PHONES[0], 2: phone.uri}, knowledge=BRIDGE_FIRST,
        group=quick_group(RingStrategy.LINEAR, ring_timeout_s=5.0,
                          max_wait_s=10.0))
    exchange = running.exchange
    try:
        running.sipps.append(await phone.start())
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        on_gsm = await exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (on_gsm.line, on_gsm.outcome, on_gsm.agent_id) == ("gsm0", "answered", 1)
        # agent 1 now talks (the modem handed the call over), so the SIP caller gets agent 2
        await running.caller("caller_talks_then_hangs_up.xml")
        on_sip = await exchange.log.wait_for(CallRecorded, lambda e: e.line == "voip0",
                                         within=WITHIN_S)
        assert (on_sip.outcome, on_sip.agent_id, on_sip.method) == (
            "answered", 2, "conference")
        assert [e.agent_ids for e in exchange.log.of(CallRinging)] == [(1,), (2,)]
        assert await phone.finished() == 0, phone.errors()
        assert voip_records(running) == [on_sip]
    finally:
        await running.stop()
