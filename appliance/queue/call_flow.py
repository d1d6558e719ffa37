"""One incoming call from offer to end, as a pure state machine.

The executor (appliance/calls) feeds it what happened on the line - the
offer, a prompt finished, a timer, an agent answered or did not, the
hand-over worked or was refused, the caller hung up, the line was lost, the
other line of a bridge failed - and
the agents' states with the ring history. Each handler returns the next
state, the commands for the line and the presence board, and the history.
Routing itself is `call_routing.decide`; this adds the line: answering,
greeting, holding, dialling the agent, ECT / bridge (bridge_flow.py) /
conference / deflection, and every ending as a record plus, when no agent
took it, a callback.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from appliance.presence.states import Activity
from appliance.presence.transitions import stop_ringing
from appliance.queue.bridge_flow import bridge_lost, choose_line, join_here, ring_via
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    Answer,
    Command,
    Deflect,
    DialAgent,
    DialAgents,
    HandOver,
    HangUp,
    HangUpAgent,
    HoldCaller,
    Learn,
    Outcome,
    PlayPrompt,
    Prompt,
    ResumeCaller,
    RingAgents,
    StopRinging,
    TakeVoicemail,
)
from appliance.queue.call_endings import CLOSING_LIMIT_S, give_up, record
from appliance.queue.call_flow_state import CallFlow, FlowStep, Moment, Phase
from appliance.queue.call_routing import decide, no_answer, start_routing
from appliance.queue.call_setup import CallSetup, WaitingCallMode
from appliance.queue.caller_voice import (
    CALLBACK_KEY,
    MESSAGE_KEY,
    announce_if_due,
    choice_heard,
    enter_queue,
    leave_queue,
    offers_the_choice,
    start_choosing,
)
from appliance.queue.connect_methods import ConnectMethod
from appliance.queue.ring_group import OverflowKind
from appliance.queue.routing_decisions import Overflow, Ring, Wait

RECORDING_LIMIT_S = 600.0  # the longest message anyone may configure, as a safety net


def _step(flow: CallFlow, commands: list[Command], moment: Moment) -> FlowStep:
    return FlowStep(flow, tuple(commands), moment.history)


def start_call(setup: CallSetup, moment: Moment) -> FlowStep:
    """The call was offered on the line at `moment.now`."""
    now = moment.now
    flow = CallFlow(setup, now, Phase.QUEUED, _method(setup))
    if not setup.open_now:
        commands, flow = give_up(flow, now, Outcome.CLOSED, "closed", closed=True)
        return _step(flow, commands, moment)
    if setup.group is None:
        commands, flow = give_up(flow, now, Outcome.OVERFLOWED, "no_reachable_member")
        return _step(flow, commands, moment)
    routing = start_routing(setup.call_id, setup.group, now, _manager(setup))
    flow = replace(flow, routing=routing, groups_tried=(setup.group.name,))
    if setup.line_busy:
        if setup.rules.waiting_calls is WaitingCallMode.BUSY:
            commands, flow = give_up(flow, now, Outcome.REFUSED, "line_busy")
            return _step(flow, commands, moment)
        waiting = replace(flow, phase=Phase.WAITING_FOR_LINE, wake_at=routing.deadline)
        return _step(waiting, [], moment)
    return _begin(flow, moment)


def _method(setup: CallSetup) -> ConnectMethod:
    """The line's learned method; one that joins an answered leg when phones ring in parallel."""
    line, group = setup.line, setup.group
    if line.rings_parallel and group is not None and group.strategy.rings_all:
        return line.usable(line.joining_method())
    return line.usable(line.connect)


def _manager(setup: CallSetup) -> int | None:
    """A VIP's account manager is tried first, if they can be rung on this line."""
    manager = setup.caller.account_manager_id
    if setup.caller.vip and manager is not None and setup.numbers.get(manager):
        return manager
    return None


def _begin(flow: CallFlow, moment: Moment) -> FlowStep:
    """Greet where the line can and the method answers anyway; then route."""
    if flow.method is ConnectMethod.CALLBACK:
        commands, flow = give_up(flow, moment.now, Outcome.UNCONNECTED, "no_hand_over_method")
        return _step(flow, commands, moment)
    if flow.method.needs_answer and flow.setup.can_play(Prompt.GREETING):
        greeting = replace(flow, phase=Phase.GREETING, answered=True, wake_at=None)
        return _step(greeting, [Answer(), PlayPrompt(Prompt.GREETING)], moment)
    return _route(replace(flow, phase=Phase.QUEUED), moment, [])


def on_line_free(flow: CallFlow, moment: Moment) -> FlowStep:
    """The line's other call ended: a waiting caller now rings as a normal call."""
    if flow.phase is not Phase.WAITING_FOR_LINE:
        return _step(flow, [], moment)
    return _begin(replace(flow, wake_at=None), moment)


def on_prompt_done(flow: CallFlow, moment: Moment) -> FlowStep:
    """The announcement (or voicemail recording) has finished."""
    if flow.phase is Phase.GREETING:
        return _route(replace(flow, phase=Phase.QUEUED), moment, [])
    if flow.phase is Phase.CLOSING:
        return _step(replace(flow, phase=Phase.ENDED, wake_at=None), [HangUp()], moment)
    if flow.phase is Phase.CHOOSING:
        return _step(choice_heard(flow, moment.now), [], moment)
    return _step(flow, [], moment)


def on_timer(flow: CallFlow, moment: Moment) -> FlowStep:
    """A time set in `wake_at` or `announce_at` has come (a stale timer does nothing)."""
    due = flow.next_wake
    if due is None or moment.now < due:
        return _step(flow, [], moment)
    flow, commands = announce_if_due(flow, moment.now, [])
    if flow.wake_at is None or moment.now < flow.wake_at:
        return _step(flow, commands, moment)
    if flow.phase is Phase.CHOOSING:  # no key pressed: the callback it is
        ending, flow = give_up(flow, moment.now, Outcome.OVERFLOWED, "max_wait")
        return _step(flow, ending, moment)
    if flow.phase is Phase.WAITING_FOR_LINE:
        commands, flow = give_up(flow, moment.now, Outcome.OVERFLOWED, "max_wait")
        return _step(flow, commands, moment)
    if flow.phase in (Phase.QUEUED, Phase.DIALLING):
        return _route(flow, moment, commands)
    if flow.phase in (Phase.CLOSING, Phase.RECORDING):
        return _step(replace(flow, phase=Phase.ENDED, wake_at=None), [HangUp()], moment)
    return _step(flow, commands, moment)


def on_agents_changed(flow: CallFlow, moment: Moment) -> FlowStep:
    """Some agent's state changed: a queued call may now ring someone."""
    if flow.phase is Phase.QUEUED:
        return _route(flow, moment, [])
    return _step(flow, [], moment)


def on_agent_answered(flow: CallFlow, agent_id: int, moment: Moment) -> FlowStep:
    """A dialled agent picked up: the other phones stop, and the caller is handed over."""
    if flow.phase is not Phase.DIALLING or agent_id not in flow.dialled:
        return _step(flow, [], moment)
    now = moment.now
    answered = replace(
        flow,
        phase=Phase.HANDING_OVER,
        agent_id=agent_id,
        dialled=(),
        ring_s=flow.ring_s + _since(flow.leg_started_at, now),
        leg_started_at=None,
        answered_at=now,
        wake_at=None,
    )
    others = tuple(a for a in flow.dialled if a != agent_id)
    commands: list[Command] = []
    if others:  # ring all: the first to answer gets the caller; the other phones stop first
        commands += [*(HangUpAgent(a) for a in others), StopRinging(others)]
    if flow.method is ConnectMethod.BRIDGE:
        # the music stops; the agent counts as on the call once the sound is joined
        answered, commands = leave_queue(answered, commands)
        return _step(answered, [*commands, HandOver(flow.method, agent_id)], moment)
    commands += [AgentOnCall(agent_id), HandOver(flow.method, agent_id)]
    return _step(answered, commands, moment)


def on_agent_failed(flow: CallFlow, agent_id: int, moment: Moment, *, missed: bool) -> FlowStep:
    """The agent's leg ended unanswered: declined, busy, no answer, unreachable."""
    if flow.phase is not Phase.DIALLING or agent_id not in flow.dialled or flow.routing is None:
        return _step(flow, [], moment)
    now = moment.now
    stop = StopRinging((agent_id,), (agent_id,) if missed else ())
    others = tuple(a for a in flow.dialled if a != agent_id)
    if others:  # ring all: the other phones ring on until their time is up
        ringing = replace(flow, routing=no_answer(flow.routing, agent_id), dialled=others)
        return _step(ringing, [stop], moment)
    stopped = replace(
        flow,
        routing=no_answer(flow.routing, agent_id),
        agent_id=None,
        dialled=(),
        ring_s=flow.ring_s + _since(flow.leg_started_at, now),
        leg_started_at=None,
        phase=Phase.QUEUED,
    )
    return _route(stopped, _with_stopped(moment, (agent_id,)), [stop])


def on_hand_over_result(
    flow: CallFlow, ok: bool, moment: Moment, *, caller_kept: bool = True
) -> FlowStep:
    """The network accepted or refused the hand-over method of this call.

    `caller_kept` is False when the refusal also lost the caller (baresip
    1.0 hangs up a call whose REFER the far end refused): the call is then
    interrupted, and owed a callback like any lost call.
    """
    if flow.phase is not Phase.HANDING_OVER or flow.agent_id is None:
        return _step(flow, [], moment)
    now, agent, method = moment.now, flow.agent_id, flow.method
    if not ok and not caller_kept:
        return _hand_over_lost_caller(flow, moment)
    group = flow.routing.group if flow.routing is not None else None
    wrap_up = group.wrap_up_s if group is not None else 0.0
    commands: list[Command] = [Learn(method, ok)] if method.network_decides else []
    if method is ConnectMethod.BRIDGE:
        if not ok:  # the other line's sound could not be joined
            return join_here(flow, moment, [HangUpAgent(agent)])
        talking = replace(flow, phase=Phase.CONFERENCE, talk_from=now)
        return _step(talking, [AgentOnCall(agent)], moment)
    if ok and method is ConnectMethod.CONFERENCE:
        talking = replace(flow, phase=Phase.CONFERENCE, talk_from=now)
        return _step(talking, commands, moment)
    if ok:  # ECT or deflection: the box drops out and cannot see the end
        outcome = Outcome.DEFLECTED if method is ConnectMethod.DEFLECT else Outcome.ANSWERED
        if method is ConnectMethod.DEFLECT:
            commands.append(AgentOnCall(agent))
        commands += [
            AgentFree(agent, flow.setup.rules.assumed_talk_s + wrap_up),
            record(flow, now, outcome, ""),
        ]
        done = replace(flow, phase=Phase.ENDED, answered_at=flow.answered_at or now)
        history = moment.history.with_call_completed(agent, now)
        return FlowStep(done, tuple(commands), history)
    after = flow.setup.line.fallback(method, answered=flow.answered)
    if method is ConnectMethod.DEFLECT and after.needs_answer and flow.routing is not None:
        # a refused blind transfer dialled nothing: the box rings the agent itself and joins
        redial = replace(flow, method=after, agent_id=None, phase=Phase.QUEUED)
        return _ring(redial, (agent,), moment, [*commands, StopRinging((agent,))])
    if after in (ConnectMethod.CONFERENCE, ConnectMethod.ECT):
        next_try = replace(flow, method=after)
        return _step(next_try, [*commands, HandOver(after, agent)], moment)
    if method is ConnectMethod.DEFLECT:
        commands.append(StopRinging((agent,)))
        ending, flow = give_up(
            replace(flow, agent_id=None), now, Outcome.UNCONNECTED, "hand_over_refused"
        )
    else:
        commands += [HangUpAgent(agent), AgentFree(agent, 0.0)]
        ending, flow = give_up(
            flow, now, Outcome.UNCONNECTED, "hand_over_refused", assignee=agent
        )
    return _step(flow, [*commands, *ending], moment)


def _hand_over_lost_caller(flow: CallFlow, moment: Moment) -> FlowStep:
    """The refused hand-over took the caller with it: learn, free the agent, owe a callback."""
    now, method = moment.now, flow.method
    agent = flow.agent_id
    assert agent is not None
    commands: list[Command] = [Learn(method, False)]
    if method is ConnectMethod.DEFLECT:
        commands.append(StopRinging((agent,)))
        assignee = None
    else:
        commands += [HangUpAgent(agent), AgentFree(agent, 0.0)]
        assignee = agent
    ending, done = give_up(
        replace(flow, agent_id=assignee), now, Outcome.INTERRUPTED, "hand_over_refused",
        assignee=assignee, caller_gone=True,
    )
    return _step(done, [*commands, *ending], moment)


def on_caller_hung_up(flow: CallFlow, moment: Moment) -> FlowStep:
    """The caller's call ended from their side."""
    now = moment.now
    if flow.phase in (Phase.ENDED, Phase.CLOSING, Phase.RECORDING):
        # a message being left is kept with what was said (the executor files it)
        return _step(replace(flow, phase=Phase.ENDED, wake_at=None), [], moment)
    if flow.phase is Phase.CONFERENCE:
        return _talk_over(flow, moment, [HangUp()], Outcome.ANSWERED)
    commands = _release_agent(flow, now)
    agent = flow.agent_id if flow.answered_at is not None else None
    ending, flow = give_up(
        _without_leg(flow, now), now, Outcome.ABANDONED, "abandoned", assignee=agent,
        caller_gone=True, sms=False,
    )
    return _step(flow, [*commands, *ending], moment)


def on_agent_hung_up(flow: CallFlow, moment: Moment) -> FlowStep:
    """The agent's answered leg ended (the conversation is over from their side)."""
    if flow.phase is Phase.CONFERENCE:
        return _talk_over(flow, moment, [HangUp()], Outcome.ANSWERED)
    return _step(flow, [], moment)


def on_line_lost(flow: CallFlow, moment: Moment) -> FlowStep:
    """The line went away (modem unplugged, coverage lost): every call on it ended.

    An agent's leg on another line (a bridge) is still there, and is hung up.
    """
    now = moment.now
    bridged = flow.method is ConnectMethod.BRIDGE and flow.agent_id is not None
    if flow.phase in (Phase.ENDED, Phase.CLOSING, Phase.RECORDING):
        # a message being left is kept with what was said (the executor files it)
        return _step(replace(flow, phase=Phase.ENDED, wake_at=None), [], moment)
    if flow.phase is Phase.CONFERENCE:
        assert flow.agent_id is not None
        other: list[Command] = [HangUpAgent(flow.agent_id)] if bridged else []
        return _talk_over(flow, moment, other, Outcome.INTERRUPTED)
    commands = [c for c in _release_agent(flow, now)
                if bridged or not isinstance(c, HangUpAgent)]
    agent = flow.agent_id if flow.answered_at is not None else None
    ending, flow = give_up(
        _without_leg(flow, now), now, Outcome.INTERRUPTED, "line_lost", assignee=agent,
        caller_gone=True,
    )
    return _step(flow, [*commands, *ending], moment)


def _talk_over(
    flow: CallFlow, moment: Moment, line: list[Command], outcome: Outcome
) -> FlowStep:
    """A conference ended (normally, or because the line was lost)."""
    now = moment.now
    assert flow.agent_id is not None
    group = flow.routing.group if flow.routing is not None else None
    commands: list[Command] = [
        *line,
        AgentFree(flow.agent_id, group.wrap_up_s if group is not None else 0.0),
    ]
    if outcome is Outcome.INTERRUPTED:
        ending, done = give_up(
            flow, now, outcome, "line_lost", assignee=flow.agent_id, caller_gone=True
        )
        commands += ending
    else:
        commands.append(record(flow, now, outcome, ""))
        done = replace(flow, phase=Phase.ENDED, wake_at=None)
    history = moment.history.with_call_completed(flow.agent_id, now)
    return FlowStep(done, tuple(commands), history)


def _release_agent(flow: CallFlow, now: datetime) -> list[Command]:
    """Commands that free the agent leg of a call that ends before the hand-over."""
    agent = flow.agent_id
    if flow.phase is Phase.DIALLING and flow.dialled:
        return [*(HangUpAgent(a) for a in flow.dialled), StopRinging(flow.dialled)]
    if agent is None:
        return []
    if flow.phase is Phase.DIALLING:
        return [*(HangUpAgent(a) for a in flow.dialled), StopRinging(flow.dialled)]
    if flow.phase is Phase.HANDING_OVER:
        if flow.method is ConnectMethod.DEFLECT:
            return [StopRinging((agent,))]
        if flow.method is ConnectMethod.BRIDGE:  # not on the call until the sound is joined
            return [HangUpAgent(agent), StopRinging((agent,))]
        return [HangUpAgent(agent), AgentFree(agent, 0.0)]
    if flow.phase is Phase.CONFERENCE:  # talking through the box when the sound failed
        return [HangUpAgent(agent), AgentFree(agent, 0.0)]
    return []


def _without_leg(flow: CallFlow, now: datetime) -> CallFlow:
    """The flow with a ringing agent leg's time counted and the leg forgotten."""
    if flow.phase is Phase.DIALLING:
        return replace(
            flow, ring_s=flow.ring_s + _since(flow.leg_started_at, now), leg_started_at=None
        )
    return flow


def _route(flow: CallFlow, moment: Moment, commands: list[Command]) -> FlowStep:
    """Ask the routing what next, and turn its decision into line commands."""
    assert flow.routing is not None
    now = moment.now
    step = decide(flow.routing, moment.agents, moment.history, now)
    flow = replace(flow, routing=step.routing)
    moment = replace(moment, history=step.history)
    if step.stop_ringing:
        ended = tuple(a for a in flow.dialled if a in step.stop_ringing)
        commands += [HangUpAgent(a) for a in ended]
        commands.append(StopRinging(step.stop_ringing, step.missed))
        left = tuple(a for a in flow.dialled if a not in ended)
        if ended and not left:
            flow = replace(
                flow,
                agent_id=None,
                dialled=(),
                ring_s=flow.ring_s + _since(flow.leg_started_at, now),
                leg_started_at=None,
            )
        elif ended:
            flow = replace(flow, dialled=left)
    decision = step.decision
    if isinstance(decision, Ring):
        several = flow.setup.line.rings_parallel and len(decision.agent_ids) > 1
        agents = decision.agent_ids if several else decision.agent_ids[:1]
        return _ring(flow, agents, moment, commands)
    if isinstance(decision, Wait):
        phase = Phase.DIALLING if flow.dialled else Phase.QUEUED
        queued = replace(flow, phase=phase, wake_at=decision.until)
        if phase is Phase.QUEUED:
            queued, commands = enter_queue(queued, now, commands)
        return _step(queued, commands, moment)
    return _overflow(flow, decision, moment, commands)


def _ring(
    flow: CallFlow, agents: tuple[int, ...], moment: Moment, commands: list[Command]
) -> FlowStep:
    """Dial the agents (several at once on a line that can), or deflect the caller to one.

    A bridge dials one agent on another line; without a free one, this call joins
    on its own line by the next method.
    """
    if flow.method is ConnectMethod.BRIDGE:
        flow = choose_line(flow, moment)
        if flow.via is not None:
            return ring_via(flow, agents[0], moment, commands)
        if flow.method is ConnectMethod.CALLBACK:
            ending, flow = give_up(flow, moment.now, Outcome.UNCONNECTED, "no_hand_over_method")
            return _step(flow, [*commands, *ending], moment)
    flow, commands = leave_queue(flow, commands)
    assert flow.routing is not None
    numbers = flow.setup.numbers
    agent = agents[0]
    # The line commands go first: the caller is waiting for them, while the presence
    # update (and the events and history writes it causes) can follow a moment later.
    if flow.method is ConnectMethod.DEFLECT and not flow.answered:
        deflecting = replace(
            flow, phase=Phase.HANDING_OVER, agent_id=agent, leg_started_at=moment.now,
            wake_at=None,
        )
        deflect = Deflect(agent, numbers[agent])
        return _step(deflecting, [*commands, deflect, RingAgents((agent,))], moment)
    if not flow.answered:
        commands.append(Answer())
    if not flow.held:
        commands.append(HoldCaller())
    dials = tuple(DialAgent(a, numbers[a]) for a in agents)
    commands += [dials[0] if len(dials) == 1 else DialAgents(dials), RingAgents(agents)]
    dialling = replace(
        flow,
        phase=Phase.DIALLING,
        answered=True,
        held=True,
        agent_id=agent if len(agents) == 1 else None,
        dialled=agents,
        leg_started_at=moment.now,
        wake_at=flow.routing.ringing_until,
    )
    return _step(dialling, commands, moment)


def _overflow(
    flow: CallFlow, decision: Overflow, moment: Moment, commands: list[Command]
) -> FlowStep:
    """The group cannot take the call: another group, voicemail or a callback."""
    now = moment.now
    target = decision.target
    if target.kind is OverflowKind.GROUP and target.group is not None:
        group = flow.setup.overflow_groups.get(target.group)
        if group is not None and group.name not in flow.groups_tried:
            routing = start_routing(flow.call_id, group, now, None)
            moved = replace(
                flow, routing=routing, groups_tried=(*flow.groups_tried, group.name)
            )
            return _route(moved, moment, commands)
    if (target.kind is OverflowKind.CALLBACK and decision.reason == "max_wait"
            and offers_the_choice(flow)):
        choosing, commands = start_choosing(flow, now, CLOSING_LIMIT_S, commands)
        return _step(choosing, commands, moment)
    if target.kind is OverflowKind.VOICEMAIL and flow.setup.line.records_voicemail:
        return _voicemail(flow, now, moment, commands, "voicemail")
    ending, flow = give_up(flow, now, Outcome.OVERFLOWED, decision.reason)
    return _step(flow, [*commands, *ending], moment)


def _voicemail(flow: CallFlow, now: datetime, moment: Moment, commands: list[Command],
               reason: str) -> FlowStep:
    """The caller leaves a message: the prompt, the recording, then the end of the call.

    The message is the work item (the executor files the recording as a callback
    owed); a recording that fails becomes a plain callback there.
    """
    flow, commands = leave_queue(flow, commands)
    if flow.held:
        commands.append(ResumeCaller())
    elif not flow.answered:
        commands.append(Answer())
    if flow.setup.can_play(Prompt.VOICEMAIL):
        commands.append(PlayPrompt(Prompt.VOICEMAIL))
    commands += [TakeVoicemail(), record(flow, now, Outcome.OVERFLOWED, reason)]
    recording = replace(
        flow, phase=Phase.RECORDING, answered=True, held=False,
        wake_at=now + timedelta(seconds=CLOSING_LIMIT_S + RECORDING_LIMIT_S),
    )
    return _step(recording, commands, moment)


def on_voicemail_done(flow: CallFlow, moment: Moment) -> FlowStep:
    """The message has been taken (or could not be): the call ends."""
    if flow.phase is not Phase.RECORDING:
        return _step(flow, [], moment)
    return _step(replace(flow, phase=Phase.ENDED, wake_at=None), [HangUp()], moment)


def on_key(flow: CallFlow, digit: str, moment: Moment) -> FlowStep:
    """The caller pressed a key: 1 asks for a callback, 2 leaves a message; others do nothing.

    Heard while waiting, while the choice is offered, or while an agent's phone rings
    (the ringing stops: the caller has chosen). A key on a line without call audio,
    or in any other phase, changes nothing.
    """
    waiting = (Phase.QUEUED, Phase.GREETING, Phase.CHOOSING, Phase.DIALLING)
    if flow.phase not in waiting or not flow.setup.line.has_audio:
        return _step(flow, [], moment)
    now = moment.now
    if digit == MESSAGE_KEY and not flow.setup.line.records_voicemail:
        return _step(flow, [], moment)
    if digit not in (CALLBACK_KEY, MESSAGE_KEY):
        return _step(flow, [], moment)
    commands = _release_agent(flow, now)
    flow = replace(_without_leg(flow, now), agent_id=None, dialled=())
    if digit == MESSAGE_KEY:
        return _voicemail(flow, now, moment, commands, "caller_left_message")
    ending, flow = give_up(flow, now, Outcome.OVERFLOWED, "caller_chose_callback")
    return _step(flow, [*commands, *ending], moment)


def on_bridge_failed(flow: CallFlow, moment: Moment) -> FlowStep:
    """The other line of a bridge failed: its dial, the agent's leg on it, or its sound.

    Not the agent's doing (busy, no answer and hang-ups come as the agent's own
    events): before the talk the agent is rung on the caller's line instead;
    during it the caller is owed a callback.
    """
    agent = flow.agent_id
    if flow.method is not ConnectMethod.BRIDGE or agent is None:
        return _step(flow, [], moment)
    if flow.phase in (Phase.DIALLING, Phase.HANDING_OVER):
        return join_here(flow, moment, [HangUpAgent(agent)])
    if flow.phase is Phase.CONFERENCE:
        return bridge_lost(flow, moment, [HangUpAgent(agent)])
    return _step(flow, [], moment)


def on_audio_lost(flow: CallFlow, moment: Moment) -> FlowStep:
    """The call's audio path failed (voice port gone or stalled): end the call, call back.

    The caller cannot be told anything any more; they get the callback (and the SMS).
    """
    if flow.phase in (Phase.ENDED, Phase.CLOSING, Phase.RECORDING):
        return _step(replace(flow, phase=Phase.ENDED, wake_at=None, music=False), [HangUp()],
                     moment)
    now = moment.now
    commands = _release_agent(flow, now)
    agent = flow.agent_id if flow.answered_at is not None else None
    ending, flow = give_up(_without_leg(flow, now), now, Outcome.INTERRUPTED, "audio_lost",
                           assignee=agent, silent=True)
    return _step(flow, [*commands, *ending], moment)


def _with_stopped(moment: Moment, agent_ids: tuple[int, ...]) -> Moment:
    """The moment with these agents' ringing already stopped (the executor does it next)."""
    agents = dict(moment.agents)
    for agent_id in agent_ids:
        state = agents.get(agent_id)
        if state is not None and state.activity is Activity.RINGING:
            agents[agent_id] = stop_ringing(state, moment.now)
    return replace(moment, agents=agents)


def _since(start: datetime | None, now: datetime) -> float:
    return max((now - start).total_seconds(), 0.0) if start is not None else 0.0
