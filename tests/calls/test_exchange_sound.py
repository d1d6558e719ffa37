"""What a caller really hears through the box: place in the queue, music, the menu, a message.

A SIM7600 simulator with its voice port: the exchange answers, opens the
call's sound and the simulated caller records every byte the box sends, so
these tests check the audio itself, never that "a play command was sent".
"""

from __future__ import annotations

from pathlib import Path

from appliance.presence import call_started
from appliance.queue.call_commands import Prompt
from appliance.queue.call_setup import FlowRules
from appliance.spine.events import CallEnded, CallOffered, CallRecorded, VoicemailReceived
from appliance.store.models import Attachment, Ticket

from .exchange_harness import CALLER, RunningExchange, quick_group, start_exchange, stop_exchange

FRAME = 320
# Real seconds to wait for something the caller hears. The sound goes at real speed, 20 ms
# a frame: the menu comes after the greeting and the place in the queue, 19.2 s in on an
# idle machine, which the former 20 s bound left 0.8 s of slack. A loaded machine can only
# make the audio later, never earlier, so the bound is three times the longest wait; a
# passing test still takes only as long as the audio.
WITHIN_S = 60.0


def _heard(exchange: RunningExchange, pcm: bytes) -> bool:
    """True when the caller heard all of `pcm` (its whole frames), byte for byte.

    Announcements reach the caller unchanged; the whole sentence, not its start, since
    "number 3" and "number 2" begin alike.
    """
    probe = pcm[:FRAME * (len(pcm) // FRAME)]
    return bool(probe) and probe in bytes(exchange.sim.caller.heard)


def _heard_music(exchange: RunningExchange) -> bool:
    voice = exchange.exchange.voice
    assert voice is not None
    heard = bytes(exchange.sim.caller.heard)
    return any(voice.music[i:i + FRAME] in heard for i in range(0, 50 * FRAME, FRAME))


def _nobody_free(exchange: RunningExchange) -> None:
    """Every agent is on another call: the caller waits (nobody at all would mean a callback)."""
    for agent in (1, 2, 3):
        exchange.set_agent(agent, call_started)


async def _callers_ahead(exchange: RunningExchange, count: int) -> list[str]:
    """Callers already waiting on another line (they are ahead in the one queue)."""
    ids = [f"ahead-{n}" for n in range(count)]
    for call_id in ids:
        exchange.bus.publish(CallOffered(at=exchange.exchange.clock.now(), call_id=call_id,
                                         line="voip0", number=None))
    await exchange.bus.drain()
    return ids


async def test_a_caller_third_in_the_queue_hears_three_then_two_with_music_between(
        tmp_path: Path) -> None:
    rules = FlowRules(announce_every_s=4.0, keypad_menu=False,
                      prompts=frozenset(Prompt) - {Prompt.GREETING})
    exchange = await start_exchange(tmp_path, model="sim7600", sound=True, rules=rules,
                                    group=quick_group(max_wait_s=120))
    try:
        _nobody_free(exchange)
        ahead = await _callers_ahead(exchange, 2)
        voice = exchange.exchange.voice
        assert voice is not None
        third = voice.place_and_wait("fi", 3, None)
        second = voice.place_and_wait("fi", 2, None)
        await exchange.sim.incoming_call(CALLER)
        await exchange.until(lambda: _heard(exchange, third), WITHIN_S)
        await exchange.until(lambda: _heard_music(exchange), WITHIN_S)
        exchange.bus.publish(CallEnded(at=exchange.exchange.clock.now(), call_id=ahead[0],
                                       outcome="abandoned"))
        await exchange.until(lambda: _heard(exchange, second), WITHIN_S)
        heard = bytes(exchange.sim.caller.heard)
        whole = FRAME * (len(third) // FRAME)
        assert heard.find(third[:whole]) < heard.rfind(second[:FRAME * (len(second) // FRAME)])
        assert "AT+CPCMREG=1" in exchange.traffic()
    finally:
        await stop_exchange(exchange)


async def test_a_key_pressed_as_a_tone_with_noise_asks_for_a_callback(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, model="sim7600", sound=True,
                                    group=quick_group(max_wait_s=120),
                                    prepare=lambda sim: setattr(sim, "detects_dtmf", False))
    try:
        _nobody_free(exchange)
        voice = exchange.exchange.voice
        assert voice is not None
        await exchange.sim.incoming_call(CALLER)
        menu = voice.prompt(Prompt.MENU, "fi")
        await exchange.until(lambda: _heard(exchange, menu), WITHIN_S)
        exchange.sim.caller.noise_dbfs = -35.0
        exchange.sim.caller.press("1")
        recorded = await exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.outcome, recorded.reason) == ("overflowed", "caller_chose_callback")
        callback = voice.prompt(Prompt.CALLBACK, "fi")
        await exchange.until(lambda: _heard(exchange, callback), WITHIN_S)
        ticket = await exchange.query(lambda: Ticket.get(Ticket.channel == "callback"))
        assert CALLER in ticket.subject
    finally:
        await stop_exchange(exchange)


async def test_a_message_left_with_2_is_recorded_and_filed_with_the_recording(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, model="sim7600", sound=True,
                                    group=quick_group(max_wait_s=120))
    try:
        _nobody_free(exchange)
        voice = exchange.exchange.voice
        assert voice is not None
        voice.rules = voice.rules.__class__(max_seconds=3.0, silence_seconds=1.0,
                                            no_speech_seconds=2.0)
        await exchange.sim.incoming_call(CALLER)
        await exchange.until(lambda: _heard(exchange, voice.prompt(Prompt.MENU, "fi")),
                             WITHIN_S)
        exchange.sim.caller.press("2")
        await exchange.until(lambda: _heard(exchange, voice.beep), WITHIN_S)
        exchange.sim.caller.speak(voice.prompt(Prompt.GREETING, "en"))  # "speech" to record
        left = await exchange.log.wait_for(VoicemailReceived, within=WITHIN_S)
        assert 1.0 <= left.seconds <= 3.5
        attachment = await exchange.query(lambda: Attachment.get())
        assert attachment.content_type == "audio/ogg" and attachment.size > 100
        ticket = await exchange.query(lambda: Ticket.get_by_id(left.ticket_id))
        assert ticket.channel == "callback"
        recorded = await exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert recorded.reason == "caller_left_message"
    finally:
        await stop_exchange(exchange)


async def test_a_voice_port_that_stalls_ends_in_a_callback_not_a_stuck_line(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, model="sim7600", sound=True,
                                    group=quick_group(max_wait_s=120))
    try:
        _nobody_free(exchange)
        voice = exchange.exchange.voice
        assert voice is not None
        await exchange.sim.incoming_call(CALLER)
        await exchange.until(lambda: _heard(exchange, voice.prompt(Prompt.MENU, "fi")),
                             WITHIN_S)
        exchange.sim.caller.stall()
        recorded = await exchange.log.wait_for(CallRecorded, within=WITHIN_S)
        assert (recorded.outcome, recorded.reason) == ("interrupted", "audio_lost")
        await exchange.until(lambda: not exchange.exchange.flows, WITHIN_S)
        assert any(c == "AT+CHUP" or c.startswith("AT+CHLD=1") for c in exchange.traffic())
        ticket = await exchange.query(lambda: Ticket.get(Ticket.channel == "callback"))
        assert ticket.status == "new"
    finally:
        await stop_exchange(exchange)
