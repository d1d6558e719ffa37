"""The EC25's USB audio card path, without the card: ALSA's own `file` PCM stands in.

ALSA is given a configuration (ALSA_CONFIG_PATH: the system's alsa.conf plus
one PCM) where the card is a `type file` PCM over `null`: what the box plays
is written to a file, and what the caller says is read from an `infile`.
PortAudio and sounddevice open it as they would the module's card. `null`
keeps no time, so the periods come as fast as the threads run: the port's
bounded queues drop and pad (counted) exactly as on a late card, which the
tests allow for.
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from appliance.media.media_engine import MediaEngine
from appliance.media.media_events import KeyDetected, MediaEvent
from appliance.media.pcm import NARROW_BAND
from appliance.media.tones import dtmf, dtmf_sequence
from appliance.media.voice_port import VoicePortError

SYSTEM_ALSA_CONF = Path("/usr/share/alsa/alsa.conf")
CARD = "aspa_ec25"
WAIT_S = 20.0


def _card_config(played: Path, caller: Path) -> str:
    """The card as ALSA configuration: one PCM, playback into `played`, capture from `caller`.

    Both at the card's own format, as the EC25's UAC offers it (8 kHz S16_LE mono; a `plug`
    keeps PortAudio from choosing another for a `file` PCM, which takes any). The two
    directions are apart (`asym`): a `file` PCM also writes what it captures to its file.
    """
    def plugged(name: str, file: Path, infile: Path | None) -> str:
        source = f'    infile "{infile}"\n' if infile is not None else ""
        return (f'pcm.{name} {{\n    type plug\n    slave {{ pcm "{name}_file" format S16_LE '
                f'rate 8000 channels 1 }}\n}}\n'
                f'pcm.{name}_file {{\n    type file\n    slave.pcm "null"\n'
                f'    file "{file}"\n{source}    format "raw"\n}}\n')

    return (f'pcm.{CARD} {{\n    type asym\n    playback.pcm "{CARD}_out"\n'
            f'    capture.pcm "{CARD}_in"\n}}\n'
            + plugged(f"{CARD}_out", played, None)
            + plugged(f"{CARD}_in", Path("/dev/null"), caller))


@pytest.fixture
def card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """A stand-in card: (the file it plays into, the file its caller speaks from)."""
    if importlib.util.find_spec("sounddevice") is None or not SYSTEM_ALSA_CONF.exists():
        pytest.skip("needs sounddevice and ALSA (apt-get install libportaudio2 alsa-utils)")
    played, caller = tmp_path / "played.raw", tmp_path / "caller.raw"
    config = tmp_path / "asound.conf"
    config.write_text(_card_config(played, caller))
    caller.write_bytes(bytes(NARROW_BAND.frame_bytes))  # ALSA opens it when PortAudio looks
    monkeypatch.setenv("ALSA_CONFIG_PATH", f"{SYSTEM_ALSA_CONF}:{config}")
    import sounddevice

    sounddevice._terminate()  # PortAudio lists ALSA's devices when it starts: start it again
    sounddevice._initialize()
    try:
        yield played, caller
    finally:
        monkeypatch.delenv("ALSA_CONFIG_PATH")
        sounddevice._terminate()
        sounddevice._initialize()


async def test_a_key_the_caller_presses_on_the_card_reaches_the_box(
        card: tuple[Path, Path]) -> None:
    from appliance.gsm.uac_voice_port import UacVoicePort

    _, caller = card
    # long: the unpaced stand-in runs ahead of the channel, which hears only some frames
    caller.write_bytes(bytes(NARROW_BAND.byte_count(0.3)) + dtmf("1", 30.0)
                       + bytes(NARROW_BAND.byte_count(0.5)))
    seen: asyncio.Queue[MediaEvent] = asyncio.Queue()
    engine = MediaEngine(on_event=seen.put_nowait)
    port = await asyncio.to_thread(UacVoicePort, CARD, name="gsm0:1")
    audio = engine.open("gsm0:1", port)
    try:
        async with asyncio.timeout(WAIT_S):
            while not isinstance(event := await seen.get(), KeyDetected):
                pass
        assert event.digit == "1"
    finally:
        await engine.close_all()
    assert audio.failure == "closed"


async def test_what_the_box_says_is_played_on_the_card_in_order(
        card: tuple[Path, Path]) -> None:
    from appliance.gsm.uac_voice_port import UacVoicePort

    played, caller = card
    caller.write_bytes(bytes(NARROW_BAND.byte_count(1.0)))  # the caller listens
    prompt = dtmf_sequence("123456789", on_s=0.1, off_s=0.0)  # no silent frame in it
    engine = MediaEngine()
    port = await asyncio.to_thread(UacVoicePort, CARD, name="gsm0:2")
    audio = engine.open("gsm0:2", port)
    try:
        await asyncio.wait_for(audio.play(prompt), WAIT_S)
    finally:
        await engine.close_all()
    size = NARROW_BAND.frame_bytes
    sent = [prompt[i:i + size] for i in range(0, len(prompt), size)]
    data = played.read_bytes()
    heard = [data[i:i + size] for i in range(0, len(data) - size + 1, size)]
    heard = [f for f in heard if np.any(np.frombuffer(f, "<i2"))]  # the card's silence aside
    index = {frame: n for n, frame in enumerate(sent)}
    positions = [index[f] for f in heard if f in index]
    assert len(positions) == len(heard)  # nothing but the prompt, whole frames
    assert positions == sorted(positions)  # in order
    # a late period drops a frame (counted) rather than wait: nearly all arrive
    assert len(positions) >= 0.9 * len(sent), (port.overruns, port.underruns)


async def test_a_card_that_is_not_there_is_named_in_the_error(card: tuple[Path, Path]) -> None:
    from appliance.gsm.uac_voice_port import UacVoicePort

    with pytest.raises(VoicePortError, match="aspa_no_such_card"):
        await asyncio.to_thread(UacVoicePort, "aspa_no_such_card", name="gsm0:3")


def _prompt_frames_heard(prompt: bytes, played: Path) -> list[int]:
    """Which of the prompt's frames the card played, in the order it played them."""
    size = NARROW_BAND.frame_bytes
    index = {prompt[i:i + size]: n for n, i in enumerate(range(0, len(prompt), size))}
    data = played.read_bytes()
    frames = [data[i:i + size] for i in range(0, len(data) - size + 1, size)]
    return [index[f] for f in frames if f in index]


async def test_an_ec25_line_routes_its_call_to_the_usb_audio_card_and_back(
        card: tuple[Path, Path], tmp_path: Path) -> None:
    from appliance.gsm.line import GsmLine
    from appliance.gsm.uac_voice_port import UacVoicePort
    from appliance.spine.events import CallOffered
    from tests.gsm.line_harness import close_line, open_line

    played, caller = card
    caller.write_bytes(bytes(NARROW_BAND.byte_count(1.0)))

    def with_card(sim: object) -> None:
        sim.uac_card = True  # type: ignore[attr-defined]

    line = await open_line(tmp_path, "ec25", prepare=with_card, voice_device=CARD,
                           voice_mode="uac")
    engine = MediaEngine()
    gsm = GsmLine(line.driver)
    gsm.engine = engine
    try:
        await line.sim.incoming_call("+358401234567")
        offered = await line.log.wait_for(CallOffered)
        await line.driver.answer(offered.call_id)
        sound = await gsm.open_audio(offered.call_id)
        assert sound is not None and isinstance(sound.channel.port, UacVoicePort)
        assert "AT+QPCMV=1,2" in line.sim.received  # Quectel's UAC port, not the serial one
        prompt = dtmf_sequence("147", on_s=0.1, off_s=0.0)
        await asyncio.wait_for(sound.play(prompt), WAIT_S)
        port = sound.channel.port
        await gsm.close_audio(offered.call_id)
        assert line.sim.received[-1] == "AT+QPCMV=0"  # the sound given back to the module
        heard = _prompt_frames_heard(prompt, played)
        assert heard == sorted(heard)
        # ALSA's null card keeps no time: on a busy machine its thread may fall behind and
        # the box drops frames rather than wait; every frame missing beyond a tenth is counted
        assert len(heard) + port.said_dropped >= 0.9 * len(prompt) // NARROW_BAND.frame_bytes
    finally:
        await engine.close_all()
        await close_line(line)
