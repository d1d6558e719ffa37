"""An office's own recording, uploaded in any common format, made into the line's PCM.

Done with SoX (Debian package `sox`, with `libsox-fmt-all` for MP3, Ogg
Vorbis/Opus and FLAC): it identifies the file, downmixes, resamples with a
proper anti-alias filter and normalises the level in one process; the
Python audio libraries read files but do not resample. Each upload is
checked first (size, that SoX recognises it, its length) and converted into
a new file that replaces the old prompt only once it is complete, so a
corrupt, huge or wrong upload leaves the old prompt in place with an error
that says what to do. Blocking: run it in a thread.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

from .pcm import SAMPLE_BYTES, PcmFormat

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PROMPT_SECONDS = 600.0  # hold music may be long; an announcement rarely passes 30 s
SOX_TIMEOUT_S = 60.0
ACCEPTED = "WAV, MP3, Ogg (Vorbis or Opus), FLAC or AIFF"


class PromptFileError(ValueError):
    """An uploaded sound could not be used; the message says why and what to do.

    `kind` names the reason for a page that says it in the person's language:
    missing_tool, unreadable, empty, too_large, not_sound, too_long,
    not_converted, silent, slow, unusable.
    """

    def __init__(self, message: str, kind: str = "unusable") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ImportedPrompt:
    """A prompt ready to play: the WAV written and its length."""

    path: Path
    seconds: float


def sox_program() -> str:
    """Path of sox; PromptFileError naming the package when it is missing."""
    found = shutil.which("sox")
    if found is None:
        raise PromptFileError("the sound converter is missing: install the Debian packages "
                              "sox and libsox-fmt-all", "missing_tool")
    return found


def probe_seconds(source: Path) -> float:
    """The upload's length, as SoX reads its header; PromptFileError when it cannot."""
    try:
        size = source.stat().st_size
    except OSError as error:
        raise PromptFileError(f"{source.name}: cannot be read ({error.strerror})",
                              "unreadable") from error
    if size == 0:
        raise PromptFileError(f"{source.name}: the file is empty", "empty")
    if size > MAX_UPLOAD_BYTES:
        raise PromptFileError(f"{source.name}: {size / 1e6:.1f} MB is too large; the limit is "
                              f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB (shorten it or save it "
                              "as MP3)", "too_large")
    result = _run([sox_program(), "--info", "-D", str(source)])
    if result.returncode != 0:
        raise PromptFileError(f"{source.name}: not a sound file this box can read "
                              f"({_first_error(result.stderr)}); save it as {ACCEPTED}",
                              "not_sound")
    try:
        seconds = float(result.stdout.strip() or 0)
    except ValueError:
        seconds = 0.0
    if seconds > MAX_PROMPT_SECONDS:
        raise PromptFileError(f"{source.name}: {seconds / 60:.1f} minutes is too long; the "
                              f"limit is {MAX_PROMPT_SECONDS / 60:.0f} minutes", "too_long")
    return seconds


def convert_to_pcm(source: Path, fmt: PcmFormat, *, normalise: bool = True) -> bytes:
    """The upload as the line's PCM (mono, s16le, the line's rate)."""
    probe_seconds(source)
    command = [sox_program(), "-V1", str(source), "-t", "raw", "-e", "signed-integer",
               "-b", "16", "-L", "-c", "1", "-r", str(fmt.rate_hz), "-"]
    if normalise:
        command += ["norm", "-3"]  # peak at -3 dBFS: every prompt equally loud
    result = _run(command, text=False)
    if result.returncode != 0:
        raise PromptFileError(f"{source.name}: the sound could not be converted "
                              f"({_first_error(result.stderr)}); save it as {ACCEPTED}",
                              "not_converted")
    pcm = bytes(result.stdout)
    if len(pcm) < fmt.frame_bytes:
        raise PromptFileError(f"{source.name}: holds no sound", "silent")
    if fmt.seconds(pcm) > MAX_PROMPT_SECONDS:
        raise PromptFileError(f"{source.name}: longer than {MAX_PROMPT_SECONDS / 60:.0f} minutes",
                              "too_long")
    return pcm


def import_prompt(source: Path, target: Path, fmt: PcmFormat) -> ImportedPrompt:
    """Convert `source` and put it at `target` (a WAV), replacing the old one only on success."""
    pcm = convert_to_pcm(source, fmt)
    write_wav(target, pcm, fmt)
    return ImportedPrompt(target, fmt.seconds(pcm))


def write_wav(target: Path, pcm: bytes, fmt: PcmFormat) -> None:
    """Write PCM as a WAV file atomically (a reader never sees half a file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_BYTES)
        out.setframerate(fmt.rate_hz)
        out.writeframes(pcm)
    os.replace(partial, target)


def read_wav(path: Path, fmt: PcmFormat) -> bytes:
    """A prompt written by write_wav, checked to be in the line's format."""
    with wave.open(str(path), "rb") as wav:
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (
                fmt.rate_hz, 1, SAMPLE_BYTES):
            raise PromptFileError(f"{path.name}: not {fmt.rate_hz} Hz mono 16-bit; import it "
                                  "again")
        return wav.readframes(wav.getnframes())


def _run(command: list[str], *, text: bool = True,
         stdin: bytes | None = None) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    try:
        if stdin is not None:
            return subprocess.run(command, capture_output=True, input=stdin,
                                  timeout=SOX_TIMEOUT_S, check=False)
        return subprocess.run(command, capture_output=True, text=text, timeout=SOX_TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise PromptFileError(f"converting took longer than {SOX_TIMEOUT_S:.0f} s",
                              "slow") from error


def _first_error(stderr: str | bytes) -> str:
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = lines[-1] if lines else "unknown format"
    return message.removeprefix("sox FAIL ").removeprefix("sox: ")[:200]


def encode_for_modem(pcm: bytes, fmt: PcmFormat, audio_format: str) -> bytes:
    """PCM as a file the modem plays from its own storage: AMR-NB (SIMCom) or WAV (Quectel)."""
    if audio_format == "wav":
        target = "wav"
    elif audio_format == "amr":
        target = "amr-nb"  # 3GPP TS 26.071; SoX writes it with libsox-fmt-all (opencore)
    else:
        raise PromptFileError(f"no encoder for modem files of type {audio_format!r}")
    result = _run([sox_program(), "-V1", "-t", "raw", "-e", "signed-integer", "-b", "16", "-L",
                   "-c", "1", "-r", str(fmt.rate_hz), "-", "-t", target, "-"],
                  text=False, stdin=pcm)
    if result.returncode != 0 or not result.stdout:
        raise PromptFileError(f"the prompt could not be encoded as {audio_format} "
                              f"({_first_error(result.stderr)}); install libsox-fmt-all")
    return bytes(result.stdout)
