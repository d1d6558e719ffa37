"""A taken callback: customer first, then the agent; failed tries come back on a schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    DialAgent,
    DialCustomer,
    Finished,
    HandOver,
    HangUp,
    HoldCaller,
    Learn,
    Outcome,
    ScheduleRetry,
)
from appliance.queue.callback_flow import (
    CallbackPhase,
    CallbackSetup,
    on_agent_answered,
    on_customer_answered,
    on_hand_over_result,
    on_hung_up,
    on_leg_failed,
    on_line_lost,
    on_timer,
    retry_at,
    start_callback,
)
from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.clock import ManualClock
from appliance.tickets.business_calendar import BusinessCalendar

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETUP = CallbackSetup("cb1", 42, "+358401234567", 2, "+358501000002", 1, ConnectMethod.ECT,
                      ring_timeout_s=30, wrap_up_s=10, assumed_talk_s=180)


def record_of(commands: tuple[object, ...]) -> Finished:
    return next(c for c in commands if isinstance(c, Finished))


def test_the_customer_is_dialled_first_then_the_agent_then_transferred() -> None:
    clock = ManualClock(START)
    flow, commands = start_callback(SETUP, clock.now())
    assert commands == (AgentOnCall(2), DialCustomer("+358401234567"))
    clock.advance(8)
    flow, commands = on_customer_answered(flow, clock.now())
    assert commands == (HoldCaller(), DialAgent(2, "+358501000002"))
    clock.advance(3)
    flow, commands = on_agent_answered(flow, clock.now())
    assert commands == (HandOver(ConnectMethod.ECT, 2),)
    flow, commands = on_hand_over_result(flow, True, clock.now())
    assert commands[:2] == (Learn(ConnectMethod.ECT, True), AgentFree(2, 190.0))
    record = record_of(commands).record
    assert (record.outcome, record.agent_id, record.wait_s) == (Outcome.ANSWERED, 2, 8.0)
    assert flow.is_over


def test_refused_transfer_falls_back_to_a_conference_that_ends_when_either_hangs_up() -> None:
    flow, _ = start_callback(SETUP, START)
    flow, _ = on_customer_answered(flow, START)
    flow, _ = on_agent_answered(flow, START)
    flow, commands = on_hand_over_result(flow, False, START)
    assert commands == (Learn(ConnectMethod.ECT, False), HandOver(ConnectMethod.CONFERENCE, 2))
    flow, _ = on_hand_over_result(flow, True, START)
    assert flow.phase is CallbackPhase.CONFERENCE
    flow, commands = on_hung_up(flow, START + timedelta(seconds=95))
    assert commands[:2] == (HangUp(), AgentFree(2, 10.0))
    assert record_of(commands).record.talk_s == 95.0


def test_a_customer_who_does_not_answer_is_retried() -> None:
    flow, _ = start_callback(SETUP, START)
    assert on_timer(flow, START + timedelta(seconds=29))[1] == ()
    flow, commands = on_timer(flow, START + timedelta(seconds=30))
    assert commands[0] == HangUp() and commands[1] == AgentFree(2, 0.0)
    assert record_of(commands).record.outcome is Outcome.NO_ANSWER
    assert commands[-1] == ScheduleRetry(1)


def test_a_busy_customer_is_retried_without_hanging_up_a_call_already_gone() -> None:
    flow, _ = start_callback(SETUP, START)
    _flow, commands = on_leg_failed(flow, START, busy=True)
    assert not any(isinstance(c, HangUp) for c in commands)
    assert record_of(commands).record.outcome is Outcome.BUSY
    assert commands[-1] == ScheduleRetry(1)


def test_an_agent_who_does_not_answer_their_own_callback_releases_the_customer() -> None:
    flow, _ = start_callback(SETUP, START)
    flow, _ = on_customer_answered(flow, START)
    _flow, commands = on_timer(flow, START + timedelta(seconds=30))
    assert commands[0] == HangUp()
    assert record_of(commands).record.reason == "agent_no_answer"


def test_a_line_that_cannot_join_calls_leaves_the_callback_to_the_agent() -> None:
    flow, commands = start_callback(replace(SETUP, method=ConnectMethod.DEFLECT), START)
    assert flow.is_over
    assert record_of(commands).record.outcome is Outcome.UNCONNECTED
    assert not any(isinstance(c, DialCustomer | ScheduleRetry) for c in commands)


def test_line_lost_mid_conference_is_interrupted_and_not_retried() -> None:
    flow, _ = start_callback(replace(SETUP, method=ConnectMethod.CONFERENCE), START)
    flow, _ = on_customer_answered(flow, START)
    flow, _ = on_agent_answered(flow, START)
    flow, _ = on_hand_over_result(flow, True, START)
    _flow, commands = on_line_lost(flow, START)
    assert record_of(commands).record.outcome is Outcome.INTERRUPTED
    assert not any(isinstance(c, ScheduleRetry) for c in commands)


def test_retries_follow_the_schedule_inside_business_hours() -> None:
    office = BusinessCalendar.from_hours("UTC", {d: [(time(8), time(16))] for d in range(5)})
    monday_ten = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert retry_at(1, (15, 60), monday_ten, office) == monday_ten + timedelta(minutes=15)
    late = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert retry_at(2, (15, 60), late, office) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert retry_at(3, (15, 60), monday_ten, office) is None
