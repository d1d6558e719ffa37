"""Voicemail as Opus in Ogg: about 1 KB per second of speech, played by every browser.

Written through python-soundfile (libsndfile, which encodes Ogg/Opus since
1.0.29): one well-known library with wheels that bundle libsndfile for
x86-64 and aarch64 (the Pi), so the box needs no encoder program; the
alternatives were a command-line encoder per message (opus-tools) or
bindings to libopus plus a hand-written Ogg muxer (pyogg, opuslib).
soundfile imports numpy, so this module is imported only when a message is
encoded or read, never at daemon start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .pcm import SAMPLE_BYTES, PcmFormat

OPUS_RATES_HZ = (8000, 12000, 16000, 24000, 48000)  # RFC 7845 §5.1: what an encoder takes


class RecordingFileError(OSError):
    """A recording could not be written or read back."""


@dataclass(frozen=True, slots=True)
class RecordingFile:
    """An encoded message on disk."""

    path: Path
    seconds: float
    rate_hz: int
    size_bytes: int


def write_opus(pcm: bytes, fmt: PcmFormat, path: Path) -> RecordingFile:
    """Encode s16le mono `pcm` to Ogg/Opus at `path` (written whole, then renamed into place)."""
    import soundfile

    if fmt.rate_hz not in OPUS_RATES_HZ:
        raise RecordingFileError(f"Opus cannot encode {fmt.rate_hz} Hz")
    if len(pcm) % SAMPLE_BYTES:
        pcm = pcm[:-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with soundfile.SoundFile(partial, "w", samplerate=fmt.rate_hz, channels=1,
                                 format="OGG", subtype="OPUS") as out:
            out.buffer_write(pcm, dtype="int16")
        os.replace(partial, path)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        partial.unlink(missing_ok=True)
        raise RecordingFileError(f"cannot write {path}: {error}") from error
    return read_info(path)


def read_info(path: Path) -> RecordingFile:
    """Decode the file's header and length (proves it can be played back)."""
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise RecordingFileError(f"cannot read {path}: {error}") from error
    return RecordingFile(path, float(info.duration), int(info.samplerate), path.stat().st_size)


def read_pcm(path: Path) -> tuple[bytes, int]:
    """The decoded s16le mono PCM and its rate (tests, the web player's fallback)."""
    import soundfile

    try:
        with soundfile.SoundFile(str(path)) as source:
            return bytes(source.buffer_read(dtype="int16")), int(source.samplerate)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise RecordingFileError(f"cannot read {path}: {error}") from error
