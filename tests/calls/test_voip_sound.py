"""A SIP caller hears the box as a GSM caller does: a real baresip dials the box's baresip.

The box's VoIP line runs with call_sound = "box": the call's sound goes
through a JACK server into the box's media engine, and the caller's own
baresip records what it hears (after G.711 and RTP). The tests look for
the announcements in that recording by correlation, and press keys both
ways a phone can: an RFC 4733 event and an in-band tone with noise.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.calls.call_voice import CallVoice
from appliance.media.media_engine import MediaEngine
from appliance.media.media_events import KeyDetected, MediaEvent
from appliance.media.pcm import NARROW_BAND
from appliance.media.port_health import HealthRules
from appliance.media.tones import dtmf_sequence, from_pcm, noise, to_pcm
from appliance.presence import call_started
from appliance.queue.call_commands import Prompt
from appliance.queue.call_flow_state import Phase
from appliance.spine.events import (
    CallAnswered,
    CallOffered,
    CallRecorded,
    VoicemailReceived,
)
from appliance.store.models import Attachment, Ticket
from appliance.voip.adapter import VoipLineAdapter
from tests.peers.binaries import PeerProgram, require
from tests.voip.baresip_caller import BaresipCaller, heard_in, write_tone_wav
from tests.voip.conftest import box_target, loopback_settings
from tests.voip.sip_peers import BARESIP, Sipp

from .exchange_harness import RunningExchange, quick_group, start_exchange, stop_exchange

JACKD = PeerProgram("jackd", "jackd2")
WITHIN_S = 30.0  # real seconds of audio through two baresips and JACK, on a loaded machine


@dataclass
class SipCallScene:
    exchange: RunningExchange
    box: VoipLineAdapter
    caller: BaresipCaller

    @property
    def voice(self) -> CallVoice:
        voice = self.exchange.exchange.voice
        assert voice is not None
        return voice

    async def hears(self, pcm: bytes) -> None:
        """Wait until the caller has heard `pcm` (looked for in a thread, twice a second)."""
        async with asyncio.timeout(WITHIN_S):
            while True:
                if await asyncio.to_thread(heard_in, self.caller.heard(), pcm):
                    return
                await asyncio.sleep(0.5)  # the recording grows in real time: no event to await


@contextlib.asynccontextmanager
async def call_scene(tmp_path: Path, *, numbers: dict[int, str] | None = None,
                     agents_busy: bool = True,
                     media_events: list[MediaEvent] | None = None) -> AsyncIterator[SipCallScene]:
    """The exchange with the VoIP line's sound through the box, and a caller's baresip;
    `media_events` collects what the calls' audio threads report."""
    require(BARESIP)
    jackd = require(JACKD)
    exchange = await start_exchange(tmp_path, model="sim7600", sound=True, numbers=numbers,
                                    group=quick_group(max_wait_s=120, ring_timeout_s=5.0))
    engine = MediaEngine(health=HealthRules(stall_seconds=5.0),
                         on_event=None if media_events is None else media_events.append)
    box = VoipLineAdapter(loopback_settings(call_sound="box", jackd=str(jackd)), exchange.bus,
                          exchange.exchange.clock, tmp_path / "voip", engine=engine)
    caller = BaresipCaller(tmp_path / "caller")
    try:
        await box.start()
        exchange.exchange.add_line(box.line)
        if agents_busy:
            for agent in (1, 2, 3):
                exchange.set_agent(agent, call_started)
        await caller.start()
        yield SipCallScene(exchange, box, caller)
    finally:
        await caller.stop()
        await engine.close_all()
        await box.stop()
        await stop_exchange(exchange)


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[SipCallScene]:
    """Every agent busy: the caller waits in the queue."""
    async with call_scene(tmp_path) as running:
        yield running


async def test_a_sip_caller_hears_the_greeting_and_asks_for_a_callback_with_rfc4733(
        scene: SipCallScene) -> None:
    voice = scene.voice
    await scene.caller.dial(box_target(scene.box))
    offered = await scene.exchange.log.wait_for(CallOffered, within=WITHIN_S)
    assert offered.line == "voip0"
    await scene.hears(voice.prompt(Prompt.GREETING, "fi"))
    await scene.hears(voice.place_and_wait("fi", 1, None))
    await scene.hears(voice.prompt(Prompt.MENU, "fi"))
    await scene.caller.press_rfc4733("1")
    recorded = await scene.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
    assert (recorded.outcome, recorded.reason) == ("overflowed", "caller_chose_callback")
    await scene.hears(voice.prompt(Prompt.CALLBACK, "fi"))
    ticket = await scene.exchange.query(lambda: Ticket.get(Ticket.channel == "callback"))
    assert "+358401234567" in ticket.subject


async def test_a_key_as_an_in_band_tone_with_noise_reaches_the_menu(
        scene: SipCallScene, tmp_path: Path) -> None:
    voice = scene.voice
    press = dtmf_sequence("1", on_s=0.12, off_s=0.1, level_dbfs=-12.0)
    tone = to_pcm(from_pcm(press) + noise(0.22, level_dbfs=-35.0)[:len(press) // 2])
    wav = write_tone_wav(tmp_path / "press-1.wav", tone)
    await scene.caller.dial(box_target(scene.box))
    await scene.hears(voice.prompt(Prompt.MENU, "fi"))
    await scene.caller.say(wav)
    recorded = await scene.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
    await scene.caller.quiet()
    assert (recorded.outcome, recorded.reason) == ("overflowed", "caller_chose_callback")


async def test_a_key_sent_as_an_rfc4733_event_and_as_a_tone_counts_once(tmp_path: Path) -> None:
    heard: list[MediaEvent] = []
    async with call_scene(tmp_path, media_events=heard) as scene:
        # "5" both ways at once (what many SIP phones do), then "9" as a tone alone
        tones = (dtmf_sequence("5", on_s=0.2, off_s=1.2, level_dbfs=-12.0)
                 + dtmf_sequence("9", on_s=0.12, off_s=0.1, level_dbfs=-12.0))
        wav = write_tone_wav(tmp_path / "press-5-then-9.wav", tones)
        engine = scene.box.line.engine
        assert engine is not None
        await scene.caller.dial(box_target(scene.box))
        await scene.exchange.until(lambda: bool(engine.calls), WITHIN_S)  # its sound is ours
        await scene.caller.say(wav)  # keys 5 and 9 choose nothing in the menu
        await scene.caller.command("sndcode", "5")

        def keys() -> list[KeyDetected]:
            return [e for e in heard if isinstance(e, KeyDetected)]

        await scene.exchange.until(lambda: any(k.digit == "9" for k in keys()), WITHIN_S)
        await scene.caller.quiet()
        assert [k.digit for k in keys()] == ["5", "9"]
        assert len(engine.calls) == 1
        # both copies of "5" arrived (the tone at times cut in two by the event): one counted
        assert engine.calls[0].channel.key_merger.dropped >= 1


async def test_a_sip_caller_leaves_a_message_that_is_filed_as_ogg(
        scene: SipCallScene, tmp_path: Path) -> None:
    voice = scene.voice
    voice.rules = voice.rules.__class__(max_seconds=3.0, silence_seconds=1.0,
                                        no_speech_seconds=2.0)
    await scene.caller.dial(box_target(scene.box))
    await scene.hears(voice.prompt(Prompt.MENU, "fi"))
    await scene.caller.press_rfc4733("2")
    await scene.hears(voice.beep)
    message = write_tone_wav(tmp_path / "message.wav", voice.prompt(Prompt.GREETING, "en"))
    await scene.caller.say(message)
    left = await scene.exchange.log.wait_for(VoicemailReceived, within=WITHIN_S)
    await scene.caller.quiet()
    assert 1.0 <= left.seconds <= 3.5
    attachment = await scene.exchange.query(lambda: Attachment.get())
    assert attachment.content_type == "audio/ogg" and attachment.size > 100


async def test_the_sound_server_dying_mid_call_ends_in_a_callback_and_the_line_recovers(
        scene: SipCallScene) -> None:
    voice = scene.voice
    await scene.caller.dial(box_target(scene.box))
    await scene.hears(voice.prompt(Prompt.GREETING, "fi"))
    jack = scene.box.supervisor.jack
    assert jack is not None and jack.process is not None
    jack.process.kill()
    recorded = await scene.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
    assert recorded.outcome == "interrupted"
    ticket = await scene.exchange.query(lambda: Ticket.get(Ticket.channel == "callback"))
    assert "+358401234567" in ticket.subject
    await scene.exchange.until(lambda: not scene.exchange.exchange.flows, WITHIN_S)
    await scene.exchange.until(lambda: scene.box.supervisor.state == "up"
                               and scene.box.line.is_up, WITHIN_S)
    restarted = scene.box.supervisor.jack
    assert restarted is not None and restarted.is_running and restarted is not jack


async def test_a_sip_caller_hears_music_while_the_agent_is_rung_then_is_joined(
        tmp_path: Path) -> None:
    phone = Sipp("agent_answers_late.xml", tmp_path)
    async with call_scene(tmp_path, numbers={1: phone.uri, 2: phone.uri, 3: phone.uri},
                          agents_busy=False) as scene:
        await phone.start()
        try:
            await scene.caller.dial(box_target(scene.box))
            offered = await scene.exchange.log.wait_for(CallOffered, within=WITHIN_S)
            await scene.hears(scene.voice.music[:NARROW_BAND.byte_count(1.5)])  # it rings 4 s
            await scene.exchange.log.wait_for(CallAnswered, within=WITHIN_S)
            flows = scene.exchange.exchange.flows
            await scene.exchange.until(  # joined: then the caller talks, and hangs up
                lambda: getattr(flows.get(offered.call_id), "phase", None) is Phase.CONFERENCE,
                WITHIN_S)
            await scene.caller.hang_up()
            recorded = await scene.exchange.log.wait_for(CallRecorded, within=WITHIN_S)
            assert (recorded.outcome, recorded.agent_id, recorded.method) == (
                "answered", 1, "conference")
            assert await phone.finished() == 0, phone.errors()
        finally:
            await phone.stop()
