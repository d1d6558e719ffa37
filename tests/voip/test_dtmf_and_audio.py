"""Key presses from the caller, announcements and hold music from files."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from appliance.queue.call_commands import Prompt
from appliance.spine.events import CallEnded, CallOffered, DtmfReceived
from appliance.voip.errors import AudioFileError
from tests.voip.conftest import BoxFactory, box_target
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import Sipp


def write_wav(path: Path, seconds: float, rate: int = 8000, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(int(seconds * rate) * 2 * channels))
    return path


async def test_caller_key_presses_become_dtmf_events(make_box: BoxFactory, events: EventLog,
                                                     sipps: list[Sipp], tmp_path: Path) -> None:
    box = await make_box()
    caller = await Sipp("caller_presses_5.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    pressed = await events.wait_for(DtmfReceived)
    assert (pressed.line, pressed.call_id, pressed.digit) == ("voip0", offered.call_id, "5")
    assert await caller.finished() == 0, caller.errors()


async def test_announcement_plays_and_the_call_goes_on(make_box: BoxFactory, events: EventLog,
                                                       sipps: list[Sipp], tmp_path: Path) -> None:
    audio = tmp_path / "audio"
    audio.mkdir()
    write_wav(audio / "greeting.wav", 0.4)
    write_wav(audio / "hold.wav", 0.2)
    box = await make_box(audio_dir=str(audio))
    assert box.line.plays_prompts and set(box.line.prompts) == {Prompt.GREETING}
    caller = await Sipp("caller_waits.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    await box.line.answer(offered.call_id)
    await box.line.play(offered.call_id, Prompt.GREETING)
    box.line.start_music(offered.call_id)
    # baresip 1.0 ends a call whose file source runs out: the silent tail must never be reached
    with pytest.raises(TimeoutError):
        await events.wait_for(CallEnded, timeout_s=3.5)
    await box.line.stop_music(offered.call_id)
    await box.line.hang_up(offered.call_id)
    assert (await events.wait_for(CallEnded)).outcome == "answered"
    log = (box.work_dir / "baresip" / "baresip.log").read_text(errors="replace")
    assert "greeting.wav" in log and "hold.wav" in log


async def test_wrong_audio_format_stops_the_start_with_the_file_named(make_box: BoxFactory,
                                                                      tmp_path: Path) -> None:
    audio = tmp_path / "audio"
    audio.mkdir()
    write_wav(audio / "closed.wav", 0.2, rate=44100, channels=2)
    with pytest.raises(AudioFileError, match=r"closed\.wav: is 44100 Hz, 2 channel"):
        await make_box(audio_dir=str(audio))
