"""What a waiting caller hears and chooses, on a line whose audio goes through the box."""

from __future__ import annotations

from appliance.presence import Presence
from appliance.queue.call_commands import (
    AnnounceQueue,
    Answer,
    CreateCallback,
    DialAgent,
    Finished,
    HangUp,
    HoldCaller,
    HoldMusic,
    Outcome,
    PlayPrompt,
    Prompt,
    ResumeCaller,
    SendSms,
    StopRinging,
    TakeVoicemail,
)
from appliance.queue.call_flow_state import Phase
from appliance.queue.call_setup import FlowRules, LineTraits
from appliance.queue.ring_group import OverflowKind, OverflowTarget

from .call_flow_harness import FlowHarness, support

AUDIO = LineTraits("gsm0", plays_prompts=True, records_voicemail=True, has_audio=True)


def _nobody_free(harness: FlowHarness) -> None:
    for agent in (1, 2, 3):
        harness.busy_on_call(agent)


def _kinds(commands: list[object]) -> list[type]:
    return [type(c) for c in commands]


def test_a_queued_caller_hears_place_menu_and_music_then_place_again() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    first = harness.offer(line=AUDIO, rules=FlowRules(prompts=frozenset(Prompt) - {
        Prompt.GREETING}))
    assert _kinds(first) == [Answer, AnnounceQueue, PlayPrompt, HoldMusic]
    assert first[2] == PlayPrompt(Prompt.MENU) and first[3] == HoldMusic(True)
    assert harness.flow is not None and harness.flow.phase is Phase.QUEUED
    assert harness.after(30) == []  # nothing before the 45 s
    assert harness.after(15) == [AnnounceQueue()]  # the place and wait again, music on
    assert harness.after(45) == [AnnounceQueue()]


def test_the_music_stops_before_an_agent_is_dialled_and_comes_back_after() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    harness.offer(support(retry_s=30), line=AUDIO,
                  rules=FlowRules(prompts=frozenset(Prompt) - {Prompt.GREETING}))
    harness.agents[1] = harness.agents[1].__class__(agent_id=1)  # reset: offline
    harness.set_presence(1, Presence.AVAILABLE)
    ringing = harness.commands[-5:]
    assert HoldMusic(False) in ringing
    order = _kinds(ringing)
    assert order.index(HoldMusic) < order.index(HoldCaller) < order.index(DialAgent)
    back = harness.agent_fails(1, missed=True, after_s=5)
    assert ResumeCaller() in back and HoldMusic(True) in back  # waiting again, in the music


def test_pressing_1_asks_for_a_callback_and_2_leaves_a_message() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    harness.offer(line=AUDIO)
    harness.prompt_done()  # the greeting has played
    chosen = harness.key("1", after_s=20)
    assert HoldMusic(False) in chosen and PlayPrompt(Prompt.CALLBACK) in chosen
    assert any(isinstance(c, CreateCallback) for c in chosen)
    assert any(isinstance(c, SendSms) for c in chosen)
    [done] = [c for c in chosen if isinstance(c, Finished)]
    assert (done.record.outcome, done.record.reason) == (Outcome.OVERFLOWED,
                                                         "caller_chose_callback")

    other = FlowHarness()
    _nobody_free(other)
    other.offer(line=AUDIO)
    other.prompt_done()
    message = other.key("2", after_s=5)
    assert PlayPrompt(Prompt.VOICEMAIL) in message and TakeVoicemail() in message
    assert not any(isinstance(c, CreateCallback) for c in message)  # the message is the item
    assert other.flow is not None and other.flow.phase is Phase.RECORDING


def test_a_key_while_an_agent_rings_stops_the_ringing_first() -> None:
    harness = FlowHarness()
    harness.offer(line=AUDIO, rules=FlowRules(prompts=frozenset(Prompt) - {Prompt.GREETING}))
    assert harness.flow is not None and harness.flow.phase is Phase.DIALLING
    chosen = harness.key("1", after_s=3)
    assert StopRinging((1,)) in chosen
    assert chosen.index(StopRinging((1,))) < next(
        i for i, c in enumerate(chosen) if isinstance(c, CreateCallback))


def test_other_keys_and_floods_change_nothing() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    harness.offer(line=AUDIO)
    harness.prompt_done()
    for digit in "3456789*#0" * 5:
        assert harness.key(digit) == []
    assert harness.flow is not None and harness.flow.phase is Phase.QUEUED
    plain = FlowHarness()
    _nobody_free(plain)
    plain.offer()  # a line without call audio: keys are not a menu there
    assert plain.key("1") == []


def test_after_the_longest_wait_the_caller_chooses_instead_of_being_hung_up_on() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    harness.offer(support(max_wait_s=60), line=AUDIO)
    harness.prompt_done()
    offered = harness.after(61)
    assert PlayPrompt(Prompt.STILL_BUSY) in offered and HangUp() not in offered
    assert harness.flow is not None and harness.flow.phase is Phase.CHOOSING
    harness.prompt_done()  # the choice has been said: ten seconds to press
    assert harness.after(9) == []
    timed_out = harness.after(1)
    assert any(isinstance(c, CreateCallback) for c in timed_out)  # no key: still a callback
    [done] = [c for c in timed_out if isinstance(c, Finished)]
    assert done.record.reason == "max_wait"


def test_a_voicemail_overflow_skips_the_choice() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    group = support(max_wait_s=60, overflow=OverflowTarget(OverflowKind.VOICEMAIL))
    harness.offer(group, line=AUDIO)
    harness.prompt_done()
    assert TakeVoicemail() in harness.after(61)


def test_a_lost_audio_path_ends_the_call_and_owes_a_callback_in_silence() -> None:
    harness = FlowHarness()
    _nobody_free(harness)
    harness.offer(line=AUDIO)
    harness.prompt_done()
    lost = harness.audio_lost()
    assert HangUp() in lost and not any(isinstance(c, PlayPrompt) for c in lost)
    assert any(isinstance(c, CreateCallback) for c in lost)
    assert harness.flow is not None and harness.flow.phase is Phase.ENDED
