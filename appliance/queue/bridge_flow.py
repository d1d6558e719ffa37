"""The bridge's part of the call flow: the agent on another line, the box carrying the sound.

Where the network refuses ECT and the box has a second line whose call sound
also goes through it, the agent is dialled there while the caller, answered
on their own line, keeps hearing the music. When the agent answers, the
executor joins the two calls' sound (one jitter buffer each way); the box
stays in the call, sees either side hang up and ends the other.

What can go wrong is the box's own: the other line is gone or taken, its
dial fails, its sound cannot be opened. Before the talk that is no reason to
lose the caller: the agent is rung again on the caller's line and joined by
the line's next method (a conference), and only when none is left is the
caller called back. During the talk, the caller hears that they will be
called back, by the agent who was speaking with them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from appliance.queue.call_commands import (
    AgentFree,
    Command,
    DialAgent,
    HoldCaller,
    Outcome,
    RingAgents,
    StopRinging,
)
from appliance.queue.call_endings import give_up
from appliance.queue.call_flow_state import CallFlow, FlowStep, Moment, Phase
from appliance.queue.call_routing import ring_again
from appliance.queue.caller_voice import leave_queue, music_while_ringing
from appliance.queue.connect_methods import ConnectMethod


def choose_line(flow: CallFlow, moment: Moment) -> CallFlow:
    """The line a bridge dials the agent on: the call's own from before, else a free one.

    With none free now, this call joins on the caller's line by the next method
    (nothing is learned: the network refused nothing).
    """
    via = flow.via or next(iter(moment.bridge_lines), None)
    if via is not None:
        return replace(flow, via=via)
    after = flow.setup.line.fallback(ConnectMethod.BRIDGE, answered=flow.answered)
    return replace(flow, method=after, via=None)


def ring_via(flow: CallFlow, agent: int, moment: Moment, commands: list[Command]) -> FlowStep:
    """Dial the agent on the other line; the caller stays answered and hears the music."""
    routing, via = flow.routing, flow.via
    assert routing is not None and via is not None
    flow, commands = music_while_ringing(flow, commands)
    commands += [DialAgent(agent, flow.setup.numbers[agent], via=via), RingAgents((agent,))]
    dialling = replace(
        flow, phase=Phase.DIALLING, agent_id=agent, dialled=(agent,),
        leg_started_at=moment.now, wake_at=routing.ringing_until,
    )
    return FlowStep(dialling, tuple(commands), moment.history)


def join_here(flow: CallFlow, moment: Moment, commands: list[Command]) -> FlowStep:
    """The bridge failed before the talk: ring the agent on the caller's line instead.

    The agent is still "ringing" for this call (a bridge counts them on the call
    only once the sound is joined), so no new claim is needed: their phone rings
    again, for their ring time, and the line's next method joins them. With no
    method left, the call is owed a callback (by that agent, if they answered).
    """
    now, agent = moment.now, flow.agent_id
    assert agent is not None
    after = flow.setup.line.fallback(ConnectMethod.BRIDGE, answered=True)
    flow, commands = leave_queue(flow, commands)
    ring_s = flow.ring_s + _since(flow.leg_started_at, now)
    flow = replace(flow, via=None, ring_s=ring_s, leg_started_at=None)
    if flow.routing is None or not after.needs_answer:
        commands.append(StopRinging((agent,)))
        assignee = agent if flow.answered_at is not None else None
        ending, done = give_up(flow, now, Outcome.UNCONNECTED, "bridge_failed",
                               assignee=assignee)
        return FlowStep(done, (*commands, *ending), moment.history)
    routing = ring_again(flow.routing, (agent,), now)
    if not flow.held:
        commands.append(HoldCaller())
    commands.append(DialAgent(agent, flow.setup.numbers[agent]))
    redial = replace(
        flow, method=after, routing=routing, phase=Phase.DIALLING, held=True,
        dialled=(agent,), answered_at=None, leg_started_at=now,
        wake_at=routing.ringing_until,
    )
    return FlowStep(redial, tuple(commands), moment.history)


def bridge_lost(flow: CallFlow, moment: Moment, commands: list[Command]) -> FlowStep:
    """The bridge broke while they talked: the agent is free, the caller hears of a callback."""
    now, agent = moment.now, flow.agent_id
    assert agent is not None
    group = flow.routing.group if flow.routing is not None else None
    commands.append(AgentFree(agent, group.wrap_up_s if group is not None else 0.0))
    ending, done = give_up(replace(flow, via=None), now, Outcome.INTERRUPTED, "bridge_lost",
                           assignee=agent)
    history = moment.history.with_call_completed(agent, now)
    return FlowStep(done, (*commands, *ending), history)


def _since(start: datetime | None, now: datetime) -> float:
    return max((now - start).total_seconds(), 0.0) if start is not None else 0.0
