"""Caller on one line, agent on another, the box carrying the sound: the bridge's decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from appliance.presence import Activity
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    AnnounceQueue,
    Answer,
    CreateCallback,
    DialAgent,
    Finished,
    HandOver,
    HangUp,
    HangUpAgent,
    HoldCaller,
    HoldMusic,
    Learn,
    Outcome,
    PlayPrompt,
    Prompt,
    RingAgents,
    StopRinging,
)
from appliance.queue.call_flow_state import Phase
from appliance.queue.call_setup import FlowRules, LineTraits
from appliance.queue.connect_methods import PREFERENCE, ConnectKnowledge, ConnectMethod

from .call_flow_harness import NUMBERS, FlowHarness, support

BRIDGE = ConnectMethod.BRIDGE
NO_GREETING = FlowRules(prompts=frozenset(Prompt) - {Prompt.GREETING}, keypad_menu=False)
# a modem whose call sound goes through the box, that has learned the network refuses ECT
AUDIO = LineTraits("gsm0", plays_prompts=True, records_voicemail=True, has_audio=True,
                   connect=BRIDGE)


def _bridging(*, lines: tuple[str, ...] = ("gsm1",)) -> FlowHarness:
    harness = FlowHarness()
    harness.bridge_lines = lines
    harness.offer(line=AUDIO, rules=NO_GREETING)
    return harness


def _finished(commands: Sequence[object]) -> Finished:
    [done] = [c for c in commands if isinstance(c, Finished)]
    return done


def test_the_order_puts_the_bridge_after_ect_and_before_a_conference() -> None:
    assert PREFERENCE[:3] == (ConnectMethod.ECT, BRIDGE, ConnectMethod.CONFERENCE)
    refused_ect = ConnectKnowledge().after(ConnectMethod.ECT, ok=False)
    assert refused_ect.best_of(PREFERENCE) is BRIDGE
    # a callback dials both legs on one line: no bridge there
    assert refused_ect.best is ConnectMethod.CONFERENCE
    # the box's own doing teaches nothing about the network
    assert refused_ect.after(BRIDGE, ok=False) == refused_ect
    # falling back from a refused ECT never picks the bridge: the agent is on this line
    assert refused_ect.fallback(ConnectMethod.ECT) is ConnectMethod.CONFERENCE
    assert LineTraits("gsm0").fallback(ConnectMethod.ECT, answered=True) is (
        ConnectMethod.CONFERENCE)


def test_the_agent_rings_on_the_other_line_while_the_caller_hears_music() -> None:
    harness = _bridging()
    commands = harness.commands
    assert commands == [Answer(), HoldMusic(True), DialAgent(1, NUMBERS[1], via="gsm1"),
                        RingAgents((1,))]
    assert HoldCaller() not in commands  # the caller's line carries only the caller
    flow = harness.flow
    assert flow is not None and flow.phase is Phase.DIALLING and flow.via == "gsm1"
    assert flow.music and not flow.held
    assert harness.agents[1].activity is Activity.RINGING


def test_the_agent_answering_stops_the_music_and_joins_the_sound() -> None:
    harness = _bridging()
    assert harness.agent_answers(1, after_s=4) == [HoldMusic(False), HandOver(BRIDGE, 1)]
    answering = harness.agents[1].activity
    assert harness.hand_over(ok=True) == [AgentOnCall(1)]  # nothing to learn
    joined = harness.agents[1].activity
    assert (answering, joined) == (Activity.RINGING, Activity.ON_CALL)  # on it once joined
    flow = harness.flow
    assert flow is not None and flow.phase is Phase.CONFERENCE
    ended = harness.caller_hangs_up(after_s=60)
    assert ended[:2] == [HangUp(), AgentFree(1, 10.0)]
    record = _finished(ended).record
    assert record.outcome is Outcome.ANSWERED and record.method is BRIDGE
    assert (record.wait_s, record.ring_s, record.talk_s) == (4.0, 4.0, 60.0)


def test_the_agent_hanging_up_ends_the_callers_call_too() -> None:
    harness = _bridging()
    harness.agent_answers(1)
    harness.hand_over(ok=True)
    ended = harness.agent_hangs_up(after_s=30)
    assert ended[0] == HangUp()
    assert _finished(ended).record.talk_s == 30.0


def test_without_a_free_line_the_call_joins_on_its_own_line_by_conference() -> None:
    harness = _bridging(lines=())
    assert harness.commands[-3:] == [HoldCaller(), DialAgent(1, NUMBERS[1]), RingAgents((1,))]
    assert harness.flow is not None and harness.flow.method is ConnectMethod.CONFERENCE
    assert harness.agent_answers(1) == [AgentOnCall(1), HandOver(ConnectMethod.CONFERENCE, 1)]
    assert harness.hand_over(ok=True) == [Learn(ConnectMethod.CONFERENCE, True)]


def test_a_line_without_call_sound_never_bridges() -> None:
    harness = FlowHarness()
    harness.bridge_lines = ("gsm1",)
    harness.offer(line=LineTraits("gsm0", connect=BRIDGE))
    assert harness.flow is not None and harness.flow.method is ConnectMethod.CONFERENCE
    assert not any(isinstance(c, DialAgent) and c.via for c in harness.commands)


def test_the_other_line_failing_to_dial_rings_the_agent_on_the_callers_line() -> None:
    harness = _bridging()
    commands = harness.bridge_failed(after_s=1)
    assert commands == [HangUpAgent(1), HoldMusic(False), HoldCaller(),
                        DialAgent(1, NUMBERS[1])]
    assert not any(isinstance(c, RingAgents | StopRinging) for c in commands)  # still rung
    flow = harness.flow
    assert flow is not None and flow.method is ConnectMethod.CONFERENCE and flow.via is None
    assert flow.phase is Phase.DIALLING and flow.held and flow.ring_s == 1.0
    assert harness.agent_answers(1, after_s=2) == [
        AgentOnCall(1), HandOver(ConnectMethod.CONFERENCE, 1)]


def test_the_sound_of_the_other_line_failing_at_the_answer_rings_again_here() -> None:
    harness = _bridging()
    harness.agent_answers(1, after_s=3)
    commands = harness.hand_over(ok=False)
    assert commands == [HangUpAgent(1), HoldCaller(), DialAgent(1, NUMBERS[1])]
    assert Learn(BRIDGE, False) not in commands
    flow = harness.flow
    assert flow is not None and flow.answered_at is None and flow.phase is Phase.DIALLING
    # a fresh ring time, the member's own
    assert flow.wake_at is not None
    assert (flow.wake_at - harness.clock.now()).total_seconds() == 15.0


def test_with_no_method_left_on_the_callers_line_the_failed_bridge_is_a_callback() -> None:
    harness = FlowHarness()
    harness.bridge_lines = ("gsm1",)
    only_bridge = replace(AUDIO, order=(ConnectMethod.ECT, BRIDGE, ConnectMethod.CALLBACK))
    harness.offer(line=only_bridge, rules=NO_GREETING)
    harness.agent_answers(1)
    commands = harness.hand_over(ok=False)
    assert commands[:3] == [HangUpAgent(1), StopRinging((1,)), PlayPrompt(Prompt.CALLBACK)]
    assert CreateCallback("bridge_failed", 1) in commands
    assert _finished(commands).record.outcome is Outcome.UNCONNECTED
    assert harness.agents[1].activity is Activity.IDLE


def test_the_bridge_breaking_during_the_talk_tells_the_caller_of_a_callback() -> None:
    harness = _bridging()
    harness.agent_answers(1)
    harness.hand_over(ok=True)
    commands = harness.bridge_failed(after_s=20)
    assert commands[:3] == [HangUpAgent(1), AgentFree(1, 10.0), PlayPrompt(Prompt.CALLBACK)]
    assert CreateCallback("bridge_lost", 1) in commands
    record = _finished(commands).record
    assert (record.outcome, record.method, record.talk_s) == (Outcome.INTERRUPTED, BRIDGE, 20.0)
    assert harness.flow is not None and harness.flow.phase is Phase.CLOSING
    assert harness.prompt_done() == [HangUp()]


def test_the_callers_line_lost_hangs_up_the_agent_on_the_other_line() -> None:
    ringing = _bridging()
    assert HangUpAgent(1) in ringing.line_lost(after_s=2)
    talking = _bridging()
    talking.agent_answers(1)
    talking.hand_over(ok=True)
    commands = talking.line_lost(after_s=10)
    assert commands[0] == HangUpAgent(1)
    assert _finished(commands).record.outcome is Outcome.INTERRUPTED


def test_the_callers_sound_failing_mid_talk_frees_the_agent() -> None:
    harness = _bridging()
    harness.agent_answers(1)
    harness.hand_over(ok=True)
    commands = harness.audio_lost()
    assert commands[:2] == [HangUpAgent(1), AgentFree(1, 0.0)]
    assert HangUp() in commands
    assert harness.agents[1].activity is not Activity.ON_CALL


def test_the_caller_hanging_up_while_the_sound_is_joined_stops_the_agents_ringing() -> None:
    harness = _bridging()
    harness.agent_answers(1)
    commands = harness.caller_hangs_up()
    assert commands[:2] == [HangUpAgent(1), StopRinging((1,))]
    assert harness.agents[1].activity is Activity.IDLE


def test_no_answer_on_the_other_line_rings_the_next_agent_there_in_the_music() -> None:
    harness = _bridging()
    harness.bridge_lines = ()  # the leg being hung up is this call's own: its line is kept
    commands = harness.until_wake()
    assert commands[:2] == [HangUpAgent(1), StopRinging((1,), (1,))]
    assert DialAgent(2, NUMBERS[2], via="gsm1") in commands
    assert HoldMusic(True) not in commands  # it never stopped


def test_a_caller_back_in_the_queue_after_a_ring_hears_the_place_again() -> None:
    harness = FlowHarness()
    harness.bridge_lines = ("gsm1",)
    harness.offer(support(retry_s=100), line=AUDIO, rules=NO_GREETING)
    for agent in (2, 3):
        harness.busy_on_call(agent)
    harness.until_wake()  # agent 1 let it ring; nobody else is free
    flow = harness.flow
    assert flow is not None and flow.phase is Phase.QUEUED and flow.music
    assert flow.announce_at is not None
    assert harness.after(45) == [AnnounceQueue()]
