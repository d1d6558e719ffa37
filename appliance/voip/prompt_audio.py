"""Announcement and hold-music files, checked and made ready for baresip's aufile.

aufile plays 16-bit mono WAV at the call's sample rate only (8 kHz for the
G.711 codecs the line offers, ITU-T G.711), and baresip 1.0 ends the call
when a file source runs out; so each file is copied with a silent tail and
Aspa switches back to silence before that tail is reached.
"""

from __future__ import annotations

import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from appliance.voip.errors import AudioFileError

SAMPLE_RATE_HZ: Final = 8000
SAMPLE_BYTES: Final = 2
SILENT_TAIL_S: Final = 3.0
HOLD_MUSIC: Final = "hold"


@dataclass(frozen=True)
class PromptFile:
    """A playable copy of an announcement and how long its sound lasts."""

    name: str
    path: Path
    seconds: float


def check_wav(path: Path) -> float:
    """The file's length in seconds; AudioFileError when aufile could not play it."""
    try:
        with wave.open(str(path), "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.getnframes()
    except (OSError, EOFError, wave.Error) as error:
        raise AudioFileError(f"{path}: not a readable WAV file ({error})") from error
    if (rate, channels, width) != (SAMPLE_RATE_HZ, 1, SAMPLE_BYTES):
        raise AudioFileError(
            f"{path}: is {rate} Hz, {channels} channel(s), {8 * width}-bit; the VoIP line plays "
            f"{SAMPLE_RATE_HZ} Hz mono 16-bit (e.g. sox in.wav -r 8000 -c 1 -b 16 out.wav)")
    if frames == 0:
        raise AudioFileError(f"{path}: holds no sound")
    return frames / rate


def prepare_prompts(audio_dir: Path, out_dir: Path, names: Iterable[str]) -> dict[str, PromptFile]:
    """Copy each `<name>.wav` found in audio_dir, with a silent tail, into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ready: dict[str, PromptFile] = {}
    for name in names:
        source = audio_dir / f"{name}.wav"
        if not source.exists():
            continue
        seconds = check_wav(source)
        with wave.open(str(source), "rb") as wav:
            sound = wav.readframes(wav.getnframes())
        target = out_dir / f"{name}.wav"
        with wave.open(str(target), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(SAMPLE_BYTES)
            out.setframerate(SAMPLE_RATE_HZ)
            out.writeframes(sound + bytes(int(SILENT_TAIL_S * SAMPLE_RATE_HZ) * SAMPLE_BYTES))
        ready[name] = PromptFile(name, target, seconds)
    return ready
