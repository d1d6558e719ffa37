"""The office records its own announcements: any common format is taken, converted and played
from then on; a corrupt, huge or wrong file is refused in words and the old one stays."""

from __future__ import annotations

import asyncio
import math
import struct
import wave
from pathlib import Path

import pytest

from appliance.calls.call_voice import CallVoice
from appliance.calls.modem_prompts import ModemPrompts
from appliance.calls.prompt_library import (
    HOLD_MUSIC,
    PromptChoiceError,
    PromptLibrary,
    recorded_prompt_name,
)
from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.media.pcm import NARROW_BAND
from appliance.media.prompt_import import MAX_UPLOAD_BYTES, PromptFileError, read_wav
from appliance.queue.call_commands import Prompt

from .exchange_harness import SPEECH_CACHE, start_exchange, stop_exchange


def _tone_wav(path: Path, *, rate: int = 44_100, channels: int = 2, seconds: float = 1.0,
              hz: float = 440.0) -> bytes:
    """A CD-style WAV of a tone, as a phone or an editor would save it."""
    frames = int(rate * seconds)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        samples = (int(12_000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(frames))
        out.writeframes(b"".join(struct.pack("<h", s) * channels for s in samples))
    return path.read_bytes()


def test_an_upload_in_another_format_is_kept_in_the_lines_format(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path / "prompts")
    recorded = library.take("greeting", "fi", _tone_wav(tmp_path / "phone.wav"))
    assert recorded.path.name == recorded_prompt_name("greeting", "fi")
    assert 0.95 < recorded.seconds < 1.05
    with wave.open(str(recorded.path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
    assert [(r.prompt, r.language) for r in library.recorded()] == [("greeting", "fi")]
    assert library.remove("greeting", "fi") and library.recorded() == []
    assert not library.remove("greeting", "fi")


@pytest.mark.parametrize("upload, filename, words", [
    (b"RIFF\x24\x00\x00\x00WAVEfmt garbage that is no sound", "broken.wav",
     "broken.wav: not a sound file this box can read"),
    (b"<html><script>alert(1)</script></html>", "page.mp3", "page.mp3: not a sound file"),
    (b"", "empty.ogg", "empty.ogg: the file is empty"),
])
def test_a_broken_upload_is_refused_and_the_old_recording_stays(
        tmp_path: Path, upload: bytes, filename: str, words: str) -> None:
    library = PromptLibrary(tmp_path / "prompts")
    library.take("closed", "en", _tone_wav(tmp_path / "good.wav"))
    before = library.path("closed", "en").read_bytes()
    with pytest.raises(PromptFileError, match=words) as refused:
        library.take("closed", "en", upload, filename)
    assert ".upload-" not in str(refused.value)
    assert library.path("closed", "en").read_bytes() == before
    assert [p.name for p in library.prompts_dir.iterdir()] == ["closed-en.wav"]  # no leftovers


def test_a_huge_upload_is_refused_unread(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path / "prompts")
    with pytest.raises(PromptFileError, match="at most 20 MB"):
        library.take("greeting", "en", b"\x00" * (MAX_UPLOAD_BYTES + 1))
    assert not library.path("greeting", "en").exists()


def test_only_the_boxs_announcements_and_languages_are_taken(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path / "prompts")
    for prompt, language in (("../../etc/passwd", "fi"), ("greeting", "sv"), ("greeting", "")):
        with pytest.raises(PromptChoiceError):
            library.take(prompt, language, b"x")
    assert library.path(HOLD_MUSIC, "").name == "hold-music.wav"


async def test_callers_hear_the_new_recording_without_a_restart(tmp_path: Path) -> None:
    voice = CallVoice(CallSpeechSettings(), prompts_dir=tmp_path / "prompts",
                      cache_dir=SPEECH_CACHE, attachments_dir=tmp_path / "attachments")
    await asyncio.to_thread(voice.prepare)
    spoken = voice.prompt(Prompt.GREETING, "fi")
    library = PromptLibrary(tmp_path / "prompts")
    recorded = await asyncio.to_thread(library.take, "greeting", "fi",
                                       _tone_wav(tmp_path / "own.wav", seconds=2.0))
    await asyncio.to_thread(voice.refresh, "greeting", "fi")
    assert voice.prompt(Prompt.GREETING, "fi") == read_wav(recorded.path, NARROW_BAND) != spoken
    assert voice.prompt(Prompt.GREETING, "en") != voice.prompt(Prompt.GREETING, "fi")
    music = voice.music
    await asyncio.to_thread(library.take, HOLD_MUSIC, "", _tone_wav(tmp_path / "m.wav"))
    await asyncio.to_thread(voice.refresh, HOLD_MUSIC, "")
    assert voice.music != music and NARROW_BAND.seconds(voice.music) == pytest.approx(1.0, 0.05)


async def test_a_modem_without_call_sound_gets_the_office_recording_and_its_replacement(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, model="sim800")
    try:
        library = PromptLibrary(tmp_path / "prompts")
        library.take("greeting", "fi", _tone_wav(tmp_path / "a.wav", hz=440.0))
        prompts = ModemPrompts(CallSpeechSettings(), "fi", SPEECH_CACHE,
                               prompts_dir=library.prompts_dir)
        await prompts.upload(exchange.line)
        path = exchange.line.prompts[Prompt.GREETING]
        first = exchange.sim.files[path]
        assert first.startswith(b"#!AMR\n")
        spoken = ModemPrompts(CallSpeechSettings(), "fi", SPEECH_CACHE)._file(
            Prompt.GREETING, "amr")
        assert first != spoken  # the recording went, not the spoken sentence

        library.take("greeting", "fi", _tone_wav(tmp_path / "b.wav", hz=880.0, seconds=2.0))
        prompts.refresh([exchange.line], Prompt.GREETING)
        await exchange.until(lambda: exchange.sim.files.get(path, first) != first
                             and len(exchange.sim.files[path]) > len(first), within=10.0)
        await prompts.stop()
    finally:
        await stop_exchange(exchange)


@pytest.mark.parametrize("suffix, subtype", [(".ogg", "VORBIS"), (".flac", "PCM_16")])
def test_compressed_uploads_are_taken_too(tmp_path: Path, suffix: str, subtype: str) -> None:
    import numpy as np
    import soundfile

    rate = 48_000
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(rate * 1.5) / rate)).astype("float32")
    source = tmp_path / f"from-the-phone{suffix}"
    soundfile.write(str(source), tone, rate, subtype=subtype)
    recorded = PromptLibrary(tmp_path / "prompts").take("menu", "en", source.read_bytes(),
                                                        source.name)
    assert 1.4 < recorded.seconds < 1.6
