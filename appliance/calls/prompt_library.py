"""The office's own recordings of the announcements: taken in any common format, kept as WAV.

An upload is converted by SoX (`appliance.media.prompt_import`) into the lines'
format beside the old file and only then put in its place, so a corrupt, huge or
wrong-format file leaves the old announcement playing. Without a recording an
announcement is the configured sentence, spoken (`[calls.speech]`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from appliance.config.sections.call_speech import SPOKEN_PROMPTS

LANGUAGES = ("fi", "en")
HOLD_MUSIC = "hold-music"  # one for every language
RECORDABLE = (*SPOKEN_PROMPTS, HOLD_MUSIC)
SOUND_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".aif", ".aiff")


class PromptChoiceError(ValueError):
    """An announcement or a language the box does not have."""


def recorded_prompt_name(prompt: str, language: str) -> str:
    """The file an office recording is kept in, in the prompts folder."""
    if prompt == HOLD_MUSIC:
        return f"{HOLD_MUSIC}.wav"
    return f"{prompt}-{language}.wav"


@dataclass(frozen=True, slots=True)
class Recorded:
    """One office recording in the prompts folder."""

    prompt: str
    language: str  # "" for the hold music
    seconds: float
    path: Path


def check_choice(prompt: str, language: str) -> None:
    """PromptChoiceError unless the box has this announcement in this language."""
    if prompt not in RECORDABLE:
        raise PromptChoiceError(f"no announcement called {prompt!r}; one of "
                                f"{', '.join(RECORDABLE)}")
    if prompt != HOLD_MUSIC and language not in LANGUAGES:
        raise PromptChoiceError(f"no language {language!r}; fi or en")


class PromptLibrary:
    """The prompts folder: what the office recorded, an upload taken in, a recording removed."""

    def __init__(self, prompts_dir: Path) -> None:
        self.prompts_dir = prompts_dir

    def path(self, prompt: str, language: str) -> Path:
        check_choice(prompt, language)
        return self.prompts_dir / recorded_prompt_name(prompt, language)

    def take(self, prompt: str, language: str, data: bytes, filename: str = "") -> Recorded:
        """Convert an upload and keep it as this announcement. Blocking (SoX).

        PromptFileError (from the media part) says what is wrong with the file, by
        the name it was uploaded under; the announcement as it was stays.
        """
        from appliance.media.pcm import NARROW_BAND
        from appliance.media.prompt_import import MAX_UPLOAD_BYTES, PromptFileError, import_prompt

        target = self.path(prompt, language)
        if len(data) > MAX_UPLOAD_BYTES:
            raise PromptFileError(f"the file is {len(data) // (1024 * 1024)} MB; at most "
                                  f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB", "too_large")
        self.prompts_dir.mkdir(parents=True, exist_ok=True)
        shown = Path(filename).name or "the file"
        suffix = Path(filename).suffix.lower()  # SoX tells some formats by their extension
        handle, name = tempfile.mkstemp(dir=self.prompts_dir, prefix=".upload-",
                                        suffix=suffix if suffix in SOUND_SUFFIXES else "")
        source = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            imported = import_prompt(source, target, NARROW_BAND)
        except PromptFileError as error:
            raise PromptFileError(str(error).replace(source.name, shown)
                                  .replace(str(source), shown), error.kind) from None
        finally:
            source.unlink(missing_ok=True)
        return Recorded(prompt, "" if prompt == HOLD_MUSIC else language, imported.seconds,
                        target)

    def remove(self, prompt: str, language: str) -> bool:
        """Back to the spoken sentence (or the built-in tune); False when nothing was recorded."""
        target = self.path(prompt, language)
        if not target.exists():
            return False
        target.unlink()
        return True

    def recorded(self) -> list[Recorded]:
        """Every office recording there is, in the order the settings page lists them."""
        import wave

        found = []
        for prompt in RECORDABLE:
            for language in ("",) if prompt == HOLD_MUSIC else LANGUAGES:
                path = self.prompts_dir / recorded_prompt_name(prompt, language)
                try:
                    with wave.open(str(path), "rb") as wav:
                        seconds = wav.getnframes() / wav.getframerate()
                except (OSError, EOFError, wave.Error):
                    continue
                found.append(Recorded(prompt, language, seconds, path))
        return found
