"""The call flow from offer to end: answering, ringing agents, hand-over and every ending."""

from __future__ import annotations

from collections.abc import Sequence

from appliance.presence import Activity, Presence, set_presence
from appliance.queue import OverflowKind, OverflowTarget, RingStrategy
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    Answer,
    CreateCallback,
    DialAgent,
    Finished,
    HandOver,
    HangUp,
    HangUpAgent,
    HoldCaller,
    Learn,
    Outcome,
    PlayPrompt,
    Prompt,
    Reject,
    ResumeCaller,
    RingAgents,
    SendSms,
    StopRinging,
    TakeVoicemail,
)
from appliance.queue.call_flow_state import Phase
from appliance.queue.call_setup import SMS_TEXTS, Caller, FlowRules, LineTraits
from appliance.queue.connect_methods import ConnectMethod

from .call_flow_harness import CALLER, NUMBERS, FlowHarness, support

FI_SMS = SendSms(CALLER, SMS_TEXTS["fi"])


def finished(commands: Sequence[object]) -> Finished:
    found = [c for c in commands if isinstance(c, Finished)]
    assert len(found) == 1, commands
    return found[0]


def test_a_line_without_prompts_lets_the_caller_ring_until_an_agent_is_dialled() -> None:
    h = FlowHarness()
    assert h.offer() == [Answer(), HoldCaller(), DialAgent(1, NUMBERS[1]), RingAgents((1,))]
    assert h.flow is not None and h.flow.phase is Phase.DIALLING
    assert h.agents[1].activity is Activity.RINGING


def test_a_line_with_prompts_greets_first_then_dials() -> None:
    h = FlowHarness()
    line = LineTraits("gsm0", plays_prompts=True)
    assert h.offer(line=line) == [Answer(), PlayPrompt(Prompt.GREETING)]
    assert h.agents[1].activity is Activity.IDLE  # nobody rings during the greeting
    assert h.prompt_done() == [HoldCaller(), DialAgent(1, NUMBERS[1]), RingAgents((1,))]


def test_answered_agent_gets_the_caller_by_explicit_call_transfer() -> None:
    h = FlowHarness()
    h.offer()
    assert h.agent_answers(1, after_s=4) == [AgentOnCall(1), HandOver(ConnectMethod.ECT, 1)]
    commands = h.hand_over(ok=True)
    assert commands[:2] == [Learn(ConnectMethod.ECT, True), AgentFree(1, 180.0 + 10)]
    record = finished(commands).record
    assert record.outcome is Outcome.ANSWERED and record.agent_id == 1
    assert (record.wait_s, record.ring_s, record.talk_s) == (4.0, 4.0, 0.0)
    assert record.method is ConnectMethod.ECT
    assert h.flow is not None and h.flow.is_over
    assert h.history.calls_taken == {1: 1}
    assert h.agents[1].activity is Activity.WRAP_UP


def test_ect_refused_falls_back_to_a_conference_that_the_box_sees_end() -> None:
    h = FlowHarness()
    h.offer()
    h.agent_answers(1, after_s=3)
    assert h.hand_over(ok=False) == [
        Learn(ConnectMethod.ECT, False), HandOver(ConnectMethod.CONFERENCE, 1),
    ]
    assert h.hand_over(ok=True) == [Learn(ConnectMethod.CONFERENCE, True)]
    assert h.flow is not None and h.flow.phase is Phase.CONFERENCE
    commands = h.caller_hangs_up(after_s=60)
    assert commands[:2] == [HangUp(), AgentFree(1, 10.0)]
    record = finished(commands).record
    assert record.outcome is Outcome.ANSWERED
    assert (record.wait_s, record.talk_s) == (3.0, 60.0)
    assert record.method is ConnectMethod.CONFERENCE


def test_conference_ends_when_the_agent_hangs_up() -> None:
    h = FlowHarness()
    h.offer(line=h.method(ConnectMethod.CONFERENCE))
    assert h.agent_answers(1) == [AgentOnCall(1), HandOver(ConnectMethod.CONFERENCE, 1)]
    h.hand_over(ok=True)
    commands = h.agent_hangs_up(after_s=30)
    assert commands[0] == HangUp()
    assert finished(commands).record.talk_s == 30.0


def test_conference_refused_too_ends_as_a_callback_owed_by_that_agent() -> None:
    h = FlowHarness()
    h.offer()
    h.agent_answers(1)
    h.hand_over(ok=False)
    commands = h.hand_over(ok=False)
    assert commands == [
        Learn(ConnectMethod.CONFERENCE, False),
        HangUpAgent(1),
        AgentFree(1, 0.0),
        HangUp(),
        CreateCallback("hand_over_refused", 1),
        FI_SMS,
        commands[-1],
    ]
    assert finished(commands).record.outcome is Outcome.UNCONNECTED
    assert h.agents[1].activity is Activity.IDLE


def test_a_line_that_learned_deflection_deflects_before_answering() -> None:
    h = FlowHarness()
    assert h.offer(line=h.method(ConnectMethod.DEFLECT)) == [
        _deflect(1), RingAgents((1,)),
    ]
    commands = h.hand_over(ok=True)
    assert commands[:3] == [
        Learn(ConnectMethod.DEFLECT, True), AgentOnCall(1), AgentFree(1, 190.0),
    ]
    record = finished(commands).record
    assert (record.outcome, record.agent_id) == (Outcome.DEFLECTED, 1)


def _deflect(agent: int) -> object:
    from appliance.queue.call_commands import Deflect

    return Deflect(agent, NUMBERS[agent])


def test_deflection_refused_rejects_with_a_callback() -> None:
    h = FlowHarness()
    h.offer(line=h.method(ConnectMethod.DEFLECT))
    commands = h.hand_over(ok=False)
    assert commands[:5] == [
        Learn(ConnectMethod.DEFLECT, False), StopRinging((1,)), Reject(),
        CreateCallback("hand_over_refused", None), FI_SMS,
    ]
    assert finished(commands).record.outcome is Outcome.UNCONNECTED
    assert h.agents[1].activity is Activity.IDLE and h.agents[1].missed_in_row == 0


def test_a_line_where_nothing_works_turns_every_call_into_a_callback() -> None:
    h = FlowHarness()
    commands = h.offer(line=h.method(ConnectMethod.CALLBACK))
    assert commands[:3] == [Reject(), CreateCallback("no_hand_over_method", None), FI_SMS]


def test_no_answer_within_the_ring_timeout_rings_the_next_member() -> None:
    h = FlowHarness()
    h.offer()
    assert h.after(14.9) == []
    assert h.after(0.1) == [
        HangUpAgent(1), StopRinging((1,), (1,)), DialAgent(2, NUMBERS[2]), RingAgents((2,)),
    ]
    assert h.agents[1].missed_in_row == 1
    h.agent_answers(2, after_s=5)
    h.hand_over(ok=True)
    record = finished(h.commands).record
    assert (record.agent_id, record.wait_s, record.ring_s) == (2, 20.0, 20.0)


def test_a_busy_agent_phone_moves_on_without_counting_a_miss() -> None:
    h = FlowHarness()
    h.offer()
    assert h.agent_fails(1, missed=False, after_s=2) == [
        StopRinging((1,)), DialAgent(2, NUMBERS[2]), RingAgents((2,)),
    ]
    assert h.agents[1].missed_in_row == 0


def test_all_agents_busy_waits_then_overflows_to_a_callback_and_sms() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    assert h.offer() == []
    assert h.flow is not None and h.flow.phase is Phase.QUEUED
    commands = h.until_wake()
    assert commands[:3] == [Reject(), CreateCallback("max_wait", None), FI_SMS]
    record = finished(commands).record
    assert (record.outcome, record.wait_s) == (Outcome.OVERFLOWED, 120.0)


def test_nobody_available_at_all_overflows_at_once() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.agents[agent] = set_presence(h.agents[agent], Presence.AWAY, h.clock.now())
    commands = h.offer()
    assert commands[:2] == [Reject(), CreateCallback("nobody_available", None)]


def test_a_queued_caller_rings_an_agent_who_becomes_free() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    line = LineTraits("gsm0", plays_prompts=True)
    h.offer(line=line)
    h.prompt_done()
    from appliance.presence import call_ended

    h.clock.advance(30)
    h.agents[2] = call_ended(h.agents[2], h.clock.now(), 0)
    from appliance.queue.call_flow import on_agents_changed

    assert h._apply(on_agents_changed(h.flow, h.moment())) == [  # type: ignore[arg-type]
        HoldCaller(), DialAgent(2, NUMBERS[2]), RingAgents((2,)),
    ]


def test_overflow_after_greeting_plays_the_callback_message_then_hangs_up() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    h.offer(line=LineTraits("gsm0", plays_prompts=True))
    h.prompt_done()
    commands = h.until_wake()
    assert commands[:3] == [PlayPrompt(Prompt.CALLBACK), CreateCallback("max_wait", None), FI_SMS]
    assert h.flow is not None and h.flow.phase is Phase.CLOSING
    assert h.prompt_done() == [HangUp()]
    assert h.flow.is_over


def test_overflow_while_an_agent_rings_stops_them_and_resumes_the_caller_for_the_message() -> None:
    h = FlowHarness()
    line = LineTraits("gsm0", plays_prompts=True)
    h.offer(support(ring_timeout_s=200), line=line)
    h.prompt_done()
    commands = h.after(120)
    assert commands[:4] == [
        HangUpAgent(1), StopRinging((1,), ()), ResumeCaller(), PlayPrompt(Prompt.CALLBACK),
    ]


def test_caller_hanging_up_while_waiting_is_abandoned_and_owed_a_callback() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    h.offer()
    commands = h.caller_hangs_up(after_s=25)
    assert commands[0] == CreateCallback("abandoned", None)
    assert not any(isinstance(c, SendSms) for c in commands)
    record = finished(commands).record
    assert (record.outcome, record.wait_s) == (Outcome.ABANDONED, 25.0)


def test_caller_hanging_up_while_an_agent_rings_stops_the_ringing_without_a_miss() -> None:
    h = FlowHarness()
    h.offer()
    commands = h.caller_hangs_up(after_s=5)
    assert commands[:3] == [HangUpAgent(1), StopRinging((1,)), CreateCallback("abandoned", None)]
    assert h.agents[1].activity is Activity.IDLE and h.agents[1].missed_in_row == 0
    assert finished(commands).record.ring_s == 5.0


def test_outside_hours_the_line_plays_the_closed_message_and_owes_a_callback() -> None:
    h = FlowHarness()
    commands = h.offer(line=LineTraits("gsm0", plays_prompts=True), open_now=False)
    closed_sms = SendSms(CALLER, FlowRules().closed_sms_texts["fi"])
    assert commands[:4] == [
        Answer(), PlayPrompt(Prompt.CLOSED), CreateCallback("closed", None), closed_sms,
    ]
    assert finished(commands).record.outcome is Outcome.CLOSED
    assert h.prompt_done() == [HangUp()]


def test_outside_hours_without_prompts_or_sms_rejects_with_a_callback() -> None:
    h = FlowHarness()
    commands = h.offer(open_now=False, rules=FlowRules(sms_when_closed=False))
    assert commands[:2] == [Reject(), CreateCallback("closed", None)]
    assert not any(isinstance(c, SendSms) for c in commands)
    assert not any(isinstance(c, RingAgents) for c in commands)


def test_a_vip_rings_their_account_manager_first() -> None:
    h = FlowHarness()
    vip = Caller(CALLER, customer_id=7, vip=True, account_manager_id=3)
    assert h.offer(caller=vip)[-1] == RingAgents((3,))
    assert h.after(15)[-1] == RingAgents((1,))


def test_an_ordinary_customer_with_an_account_manager_follows_the_strategy() -> None:
    h = FlowHarness()
    plain = Caller(CALLER, customer_id=7, vip=False, account_manager_id=3)
    assert h.offer(caller=plain)[-1] == RingAgents((1,))


def test_withheld_number_still_becomes_a_callback_but_gets_no_sms() -> None:
    h = FlowHarness()
    commands = h.offer(caller=Caller(None), open_now=False)
    assert CreateCallback("closed", None) in commands
    assert not any(isinstance(c, SendSms) for c in commands)


def test_customer_language_picks_the_sms_text() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    h.offer(caller=Caller(CALLER, language="en"))
    commands = h.until_wake()
    assert SendSms(CALLER, SMS_TEXTS["en"]) in commands


def test_line_lost_in_conference_is_interrupted_and_owed_a_callback() -> None:
    h = FlowHarness()
    h.offer(line=h.method(ConnectMethod.CONFERENCE))
    h.agent_answers(1, after_s=2)
    h.hand_over(ok=True)
    commands = h.line_lost(after_s=40)
    assert commands[:2] == [AgentFree(1, 10.0), CreateCallback("line_lost", 1)]
    assert FI_SMS in commands
    record = finished(commands).record
    assert (record.outcome, record.talk_s, record.agent_id) == (Outcome.INTERRUPTED, 40.0, 1)


def test_line_lost_while_ringing_an_agent_stops_the_ringing() -> None:
    h = FlowHarness()
    h.offer()
    commands = h.line_lost(after_s=3)
    assert commands[:2] == [StopRinging((1,)), CreateCallback("line_lost", None)]
    assert not any(isinstance(c, HangUpAgent | Reject | HangUp) for c in commands)
    assert finished(commands).record.outcome is Outcome.INTERRUPTED


def test_agent_missing_offers_in_a_row_is_paused() -> None:
    h = FlowHarness(missed_limit=2, agents=(1, 2))
    h.offer(support(retry_s=0), numbers={1: NUMBERS[1], 2: NUMBERS[2]})
    h.after(15)  # 1 missed
    h.after(15)  # 2 missed
    h.after(15)  # 1 missed again: second in a row
    assert h.paused == [1]
    assert h.agents[1].presence is Presence.AWAY
    assert h.agents[1].pause_reason == "missed offers: 2 in a row"


def test_busy_line_refuses_a_second_caller_when_configured() -> None:
    h = FlowHarness()
    from appliance.queue.call_setup import WaitingCallMode

    rules = FlowRules(waiting_calls=WaitingCallMode.BUSY)
    commands = h.offer(line_busy=True, rules=rules)
    assert commands[:3] == [Reject(), CreateCallback("line_busy", None), FI_SMS]
    assert finished(commands).record.outcome is Outcome.REFUSED


def test_busy_line_keeps_a_second_caller_waiting_until_it_is_free() -> None:
    h = FlowHarness()
    assert h.offer(line_busy=True, line=LineTraits("gsm0", plays_prompts=True)) == []
    assert h.flow is not None and h.flow.phase is Phase.WAITING_FOR_LINE
    h.clock.advance(20)
    assert h.line_free() == [Answer(), PlayPrompt(Prompt.GREETING)]


def test_a_waiting_caller_who_waits_too_long_is_refused_into_a_callback() -> None:
    h = FlowHarness()
    h.offer(line_busy=True, line=LineTraits("gsm0", plays_prompts=True))
    commands = h.until_wake()
    assert commands[:2] == [Reject(), CreateCallback("max_wait", None)]  # cannot play to it


def test_a_group_nobody_can_be_rung_in_still_ends_as_a_callback() -> None:
    h = FlowHarness()
    commands = h.offer(numbers={})
    assert commands[:2] == [Reject(), CreateCallback("no_reachable_member", None)]


def test_overflow_to_another_group_rings_its_members() -> None:
    from appliance.queue import RingGroup

    h = FlowHarness(agents=(1, 2, 3))
    first = RingGroup("front", (1,), RingStrategy.LINEAR, ring_timeout_s=10, retry_s=0,
                      max_wait_s=10, overflow=OverflowTarget(OverflowKind.GROUP, "back"))
    back = RingGroup("back", (2, 3), RingStrategy.LINEAR, ring_timeout_s=10, retry_s=0)
    h.offer(first, overflow_groups={"back": back})
    assert h.after(10)[-2:] == [DialAgent(2, NUMBERS[2]), RingAgents((2,))]


def test_voicemail_overflow_records_where_the_line_can() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    group = support(overflow=OverflowTarget(OverflowKind.VOICEMAIL))
    h.offer(group, line=LineTraits("gsm0", plays_prompts=True, records_voicemail=True))
    h.prompt_done()
    commands = h.until_wake()
    assert commands[:2] == [PlayPrompt(Prompt.VOICEMAIL), TakeVoicemail()]
    assert finished(commands).record.reason == "voicemail"


def test_voicemail_overflow_on_a_line_that_cannot_record_is_a_callback() -> None:
    h = FlowHarness()
    for agent in (1, 2, 3):
        h.busy_on_call(agent)
    h.offer(support(overflow=OverflowTarget(OverflowKind.VOICEMAIL)))
    commands = h.until_wake()
    assert commands[:3] == [Reject(), CreateCallback("max_wait", None), FI_SMS]


def test_a_stale_timer_does_nothing() -> None:
    h = FlowHarness()
    h.offer()
    assert h.after(1) == []
    assert h.flow is not None and h.flow.phase is Phase.DIALLING
