"""A callback an agent has taken, as a pure state machine: dial the customer, then the agent.

The customer is dialled first; once they answer they are held and the
agent's phone is dialled; when the agent answers the line joins them the
way it has learned works (ECT, else a conference). An attempt that does not
reach the customer is recorded and retried on the configured schedule,
moved into business hours; when the tries are used up the item stays open
for a person to handle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    CallRecord,
    Command,
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
from appliance.queue.connect_methods import ConnectMethod
from appliance.tickets.business_calendar import BusinessCalendar


class CallbackPhase(StrEnum):
    """Where a callback attempt stands."""

    DIALLING_CUSTOMER = "dialling_customer"
    DIALLING_AGENT = "dialling_agent"
    HANDING_OVER = "handing_over"
    CONFERENCE = "conference"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class CallbackSetup:
    """One attempt at one callback."""

    flow_id: str
    ticket_id: int
    customer_number: str
    agent_id: int
    agent_number: str
    attempt: int  # 1 for the first try
    method: ConnectMethod
    retry_minutes: Sequence[int] = (15, 60, 240)
    ring_timeout_s: float = 30.0
    wrap_up_s: float = 10.0
    assumed_talk_s: float = 180.0  # after ECT the box cannot see the end


@dataclass(frozen=True, slots=True)
class CallbackFlow:
    """One callback attempt's state."""

    setup: CallbackSetup
    phase: CallbackPhase
    started_at: datetime
    method: ConnectMethod
    customer_answered_at: datetime | None = None
    agent_answered_at: datetime | None = None
    talk_from: datetime | None = None
    wake_at: datetime | None = None

    @property
    def is_over(self) -> bool:
        """True when the executor may forget it."""
        return self.phase is CallbackPhase.ENDED


CallbackStep = tuple[CallbackFlow, tuple[Command, ...]]


def retry_at(
    attempt: int, retry_minutes: Sequence[int], now: datetime, calendar: BusinessCalendar
) -> datetime | None:
    """When to try again after failed attempt number `attempt`, within open hours; None: done."""
    if attempt < 1 or attempt > len(retry_minutes):
        return None
    return calendar.next_open(now + timedelta(minutes=retry_minutes[attempt - 1]))


def start_callback(setup: CallbackSetup, now: datetime) -> CallbackStep:
    """The agent took the callback: dial the customer (the agent counts as on a call)."""
    method = setup.method
    flow = CallbackFlow(setup, CallbackPhase.DIALLING_CUSTOMER, now, method)
    if method not in (ConnectMethod.ECT, ConnectMethod.CONFERENCE):
        # Outgoing calls cannot be deflected: without ECT or a conference the agent calls
        # the customer from their own phone.
        ended = replace(flow, phase=CallbackPhase.ENDED)
        return ended, (_record(flow, now, Outcome.UNCONNECTED, "no_hand_over_method"),)
    dialling = replace(flow, wake_at=now + timedelta(seconds=setup.ring_timeout_s))
    return dialling, (AgentOnCall(setup.agent_id), DialCustomer(setup.customer_number))


def on_customer_answered(flow: CallbackFlow, now: datetime) -> CallbackStep:
    """The customer picked up: hold them and ring the agent."""
    if flow.phase is not CallbackPhase.DIALLING_CUSTOMER:
        return flow, ()
    setup = flow.setup
    ringing = replace(
        flow, phase=CallbackPhase.DIALLING_AGENT, customer_answered_at=now,
        wake_at=now + timedelta(seconds=setup.ring_timeout_s),
    )
    return ringing, (HoldCaller(), DialAgent(setup.agent_id, setup.agent_number))


def on_agent_answered(flow: CallbackFlow, now: datetime) -> CallbackStep:
    """The agent picked up their phone: join them to the customer."""
    if flow.phase is not CallbackPhase.DIALLING_AGENT:
        return flow, ()
    joining = replace(flow, phase=CallbackPhase.HANDING_OVER, agent_answered_at=now, wake_at=None)
    return joining, (HandOver(flow.method, flow.setup.agent_id),)


def on_hand_over_result(flow: CallbackFlow, ok: bool, now: datetime) -> CallbackStep:
    """The network accepted or refused the join."""
    if flow.phase is not CallbackPhase.HANDING_OVER:
        return flow, ()
    setup, method = flow.setup, flow.method
    learned = Learn(method, ok)
    if ok and method is ConnectMethod.CONFERENCE:
        return replace(flow, phase=CallbackPhase.CONFERENCE, talk_from=now), (learned,)
    if ok:
        ended = replace(flow, phase=CallbackPhase.ENDED)
        rest = setup.assumed_talk_s + setup.wrap_up_s
        return ended, (learned, AgentFree(setup.agent_id, rest),
                       _record(ended, now, Outcome.ANSWERED, ""))
    if method is ConnectMethod.ECT:
        trying = replace(flow, method=ConnectMethod.CONFERENCE)
        return trying, (learned, HandOver(ConnectMethod.CONFERENCE, setup.agent_id))
    step = _fail(flow, now, Outcome.UNCONNECTED, "hand_over_refused", retry=False)
    return step[0], (learned, *step[1])


def on_leg_failed(flow: CallbackFlow, now: datetime, *, busy: bool) -> CallbackStep:
    """A leg ended before it was answered (busy, no answer, unreachable)."""
    if flow.phase is CallbackPhase.DIALLING_CUSTOMER:
        outcome = Outcome.BUSY if busy else Outcome.NO_ANSWER
        return _fail(flow, now, outcome, outcome.value, retry=True, hang_up=False)
    if flow.phase is CallbackPhase.DIALLING_AGENT:
        return _fail(flow, now, Outcome.UNCONNECTED, "agent_no_answer", retry=True)
    return flow, ()


def on_timer(flow: CallbackFlow, now: datetime) -> CallbackStep:
    """A ring time is up (a stale timer does nothing)."""
    if flow.wake_at is None or now < flow.wake_at:
        return flow, ()
    if flow.phase is CallbackPhase.DIALLING_CUSTOMER:
        return _fail(flow, now, Outcome.NO_ANSWER, "no_answer", retry=True)
    if flow.phase is CallbackPhase.DIALLING_AGENT:
        return _fail(flow, now, Outcome.UNCONNECTED, "agent_no_answer", retry=True)
    return flow, ()


def on_hung_up(flow: CallbackFlow, now: datetime) -> CallbackStep:
    """The customer or the agent ended an answered leg."""
    setup = flow.setup
    if flow.phase is CallbackPhase.CONFERENCE:
        ended = replace(flow, phase=CallbackPhase.ENDED)
        return ended, (HangUp(), AgentFree(setup.agent_id, setup.wrap_up_s),
                       _record(ended, now, Outcome.ANSWERED, ""))
    if flow.phase in (CallbackPhase.DIALLING_AGENT, CallbackPhase.HANDING_OVER):
        return _fail(flow, now, Outcome.ABANDONED, "abandoned", retry=True)
    return flow, ()


def on_line_lost(flow: CallbackFlow, now: datetime) -> CallbackStep:
    """The line went away mid-attempt."""
    if flow.phase is CallbackPhase.ENDED:
        return flow, ()
    answered = flow.phase is CallbackPhase.CONFERENCE
    return _fail(flow, now, Outcome.INTERRUPTED, "line_lost", retry=not answered, hang_up=False)


def _fail(
    flow: CallbackFlow,
    now: datetime,
    outcome: Outcome,
    reason: str,
    *,
    retry: bool,
    hang_up: bool = True,
) -> CallbackStep:
    """End this attempt; a retry is asked for (the executor applies the schedule)."""
    setup = flow.setup
    ended = replace(flow, phase=CallbackPhase.ENDED, wake_at=None)
    commands: list[Command] = []
    if hang_up:
        commands.append(HangUp())
    commands += [AgentFree(setup.agent_id, 0.0), _record(ended, now, outcome, reason)]
    if retry:
        commands.append(ScheduleRetry(setup.attempt))
    return ended, tuple(commands)


def _record(flow: CallbackFlow, now: datetime, outcome: Outcome, reason: str) -> Finished:
    setup = flow.setup
    talk = (now - flow.talk_from).total_seconds() if flow.talk_from is not None else 0.0
    reached = flow.agent_answered_at is not None
    return Finished(
        CallRecord(
            outcome=outcome,
            arrived_at=flow.started_at,
            ended_at=now,
            answered_at=flow.customer_answered_at,
            agent_id=setup.agent_id,
            wait_s=max(((flow.customer_answered_at or now) - flow.started_at).total_seconds(), 0),
            ring_s=0.0,
            talk_s=max(talk, 0.0),
            reason=reason,
            method=flow.method if reached else None,
        )
    )
