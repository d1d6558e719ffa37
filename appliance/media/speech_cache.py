"""Typed prompts spoken by espeak-ng (Debian package `espeak-ng`), rendered once, kept on disk.

espeak-ng is the speech engine Debian packages with both Finnish (`fi`)
and English (`en`) voices and no network or model download; its voice is
plain but clear on an 8 kHz line. A text is rendered when the office saves
it (or at start for the pre-rendered pieces), converted to the line's PCM
by SoX, and kept under a name derived from the engine's version, the voice,
the speed, the rate and the text: a cache hit never runs the engine, so
nothing is synthesised while a caller waits. Blocking: run it in a thread.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from .pcm import PcmFormat
from .prompt_import import read_wav, write_wav

VOICES = {"fi": "fi", "en": "en"}
WORDS_PER_MINUTE = 150  # a little slower than espeak's 175: callers on a phone line
RENDER_TIMEOUT_S = 30.0
MAX_TEXT_CHARS = 1000


class SpeechError(RuntimeError):
    """The text could not be spoken; the message says why."""


def espeak_program() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        raise SpeechError("the speech engine is missing: install the Debian package espeak-ng")
    return found


def engine_version() -> str:
    """espeak-ng's version line (part of the cache key: a new engine renders anew)."""
    result = subprocess.run([espeak_program(), "--version"], capture_output=True, text=True,
                            timeout=RENDER_TIMEOUT_S, check=False)
    return result.stdout.strip()


class SpeechCache:
    """Rendered texts of one line format, as WAV files in `directory`."""

    def __init__(self, directory: Path, fmt: PcmFormat, *, version: str | None = None) -> None:
        self.directory = directory
        self.fmt = fmt
        self._version = version
        self.rendered = 0  # engine runs, for tests and logs
        self._memory: dict[str, bytes] = {}

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = engine_version()
        return self._version

    def path_for(self, text: str, language: str) -> Path:
        key = "\n".join((self.version, VOICES.get(language, language), str(WORDS_PER_MINUTE),
                         str(self.fmt.rate_hz), text))
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        return self.directory / f"{language}-{digest}.wav"

    def cached(self, text: str, language: str) -> bytes | None:
        """The rendered text when it is in the cache; never runs the engine."""
        path = self.path_for(text, language)
        found = self._memory.get(str(path))
        if found is not None:
            return found
        if path.exists():
            pcm = read_wav(path, self.fmt)
            self._memory[str(path)] = pcm
            return pcm
        return None

    def speak(self, text: str, language: str) -> bytes:
        """The text as the line's PCM: from the cache, or rendered now and kept."""
        text = " ".join(text.split())
        if not text:
            raise SpeechError("nothing to say: the text is empty")
        if len(text) > MAX_TEXT_CHARS:
            raise SpeechError(f"the text is {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
        if language not in VOICES:
            raise SpeechError(f"no voice for language {language!r}; choose one of "
                              f"{', '.join(VOICES)}")
        found = self.cached(text, language)
        if found is not None:
            return found
        pcm = self._render(text, language)
        path = self.path_for(text, language)
        write_wav(path, pcm, self.fmt)
        self._memory[str(path)] = pcm
        return pcm

    def _render(self, text: str, language: str) -> bytes:
        self.rendered += 1
        speech = subprocess.run(
            [espeak_program(), "-v", VOICES[language], "-s", str(WORDS_PER_MINUTE), "--stdout",
             "--", text], capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
        if speech.returncode != 0 or not speech.stdout:
            raise SpeechError(f"espeak-ng failed: {speech.stderr.decode(errors='replace')[:200]}")
        sox = shutil.which("sox")
        if sox is None:
            raise SpeechError("the sound converter is missing: install the Debian package sox")
        converted = subprocess.run(
            [sox, "-V1", "-t", "wav", "-", "-t", "raw", "-e", "signed-integer", "-b", "16", "-L",
             "-c", "1", "-r", str(self.fmt.rate_hz), "-", "norm", "-3"],
            input=speech.stdout, capture_output=True, timeout=RENDER_TIMEOUT_S, check=False)
        if converted.returncode != 0:
            raise SpeechError(f"converting speech failed: "
                              f"{converted.stderr.decode(errors='replace')[:200]}")
        return converted.stdout
