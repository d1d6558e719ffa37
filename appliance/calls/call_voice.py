"""What the exchange says to callers and takes from them, on lines whose sound goes through the box.

Every sentence is ready before anyone waits: `prepare()` (blocking, run in a
thread when the exchange starts) renders each announcement in Finnish and
English — the office's own recording where one is in the prompts folder,
else the configured sentence spoken by espeak-ng (cached on disk) — and the
number pieces of "you are number N", "the expected wait is N minutes".
While a caller waits, only PCM already in memory is joined and played.
Imported only where a line has a voice port: the media part loads numpy.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from appliance.calls.prompt_library import HOLD_MUSIC, LANGUAGES, recorded_prompt_name
from appliance.config.sections.call_speech import SPOKEN_PROMPTS, CallSpeechSettings
from appliance.media.announcer import Announcer
from appliance.media.hold_music import hold_music
from appliance.media.opus_file import write_opus
from appliance.media.pcm import NARROW_BAND
from appliance.media.prompt_import import PromptFileError, read_wav
from appliance.media.speech_cache import SpeechCache
from appliance.media.tones import beep
from appliance.media.voicemail_recorder import Recording, RecordingRules
from appliance.ports.call_sound import CallSound
from appliance.queue.call_commands import Prompt
from appliance.store.attachment_folder import store_blob

log = logging.getLogger("aspa.calls.voice")

MUSIC_FILE = recorded_prompt_name(HOLD_MUSIC, "")  # the office's own; else a built-in tune
RECORDING_TYPE = "audio/ogg"


@dataclass(frozen=True, slots=True)
class SavedMessage:
    """A voicemail encoded and stored among the attachments."""

    sha256: str
    size: int
    seconds: float
    filename: str


class CallVoice:
    """Rendered announcements, hold music and the voicemail of the exchange's calls."""

    def __init__(self, speech: CallSpeechSettings, *, prompts_dir: Path, cache_dir: Path,
                 attachments_dir: Path, voicemail_max_s: float = 120.0) -> None:
        self.speech = speech
        self.prompts_dir = prompts_dir
        self.attachments_dir = attachments_dir
        self.fmt = NARROW_BAND  # every modem voice port is 8 kHz (voice_path.py)
        self.cache = SpeechCache(cache_dir, self.fmt)
        self.announcer = Announcer(self.cache)
        self.rules = RecordingRules(max_seconds=voicemail_max_s)
        self._prompts: dict[tuple[str, str], bytes] = {}
        self.music = b""
        self.beep = beep(self.fmt)

    def use_voicemail_max(self, seconds: float) -> None:
        """The longest message saved on the page: the next recording stops there."""
        self.rules = RecordingRules(max_seconds=seconds)

    def prepare(self) -> None:
        """Render every announcement, the number pieces and the music. Blocking."""
        for language in LANGUAGES:
            for prompt in SPOKEN_PROMPTS:
                self._prompts[(prompt, language)] = self._render(prompt, language)
        self.announcer.prepare(LANGUAGES)
        self.music = self._music()
        log.info("call voice ready: %d announcements, %s", len(self._prompts),
                 "the office's hold music" if self._office(MUSIC_FILE) else "the built-in tune")

    def refresh(self, prompt: str, language: str) -> None:
        """Render one announcement (or the music) again after the office changed it. Blocking."""
        if prompt == HOLD_MUSIC:
            self.music = self._music()
        else:
            self._prompts[(prompt, language)] = self._render(prompt, language)

    def _render(self, prompt: str, language: str) -> bytes:
        recorded = self._office(recorded_prompt_name(prompt, language))
        if recorded is not None:
            return recorded
        return self.cache.speak(self.speech.text(prompt, language), language)

    def _office(self, name: str) -> bytes | None:
        path = self.prompts_dir / name
        if not path.is_file():
            return None
        try:
            return read_wav(path, self.fmt)
        except (PromptFileError, OSError, EOFError) as error:  # a damaged file: say the default
            log.warning("office recording %s not usable (%s); using the spoken one", path, error)
            return None

    def _music(self) -> bytes:
        return self._office(MUSIC_FILE) or hold_music(self.fmt)

    def language(self, caller_language: str | None, default: str) -> str:
        """The language a caller is spoken to: theirs when known, else the line's."""
        for language in (caller_language, default):
            if language in LANGUAGES:
                return str(language)
        return "en"

    def prompt(self, prompt: Prompt, language: str) -> bytes:
        """One announcement, rendered at start."""
        return self._prompts.get((prompt.value, language)) or self._prompts[(prompt.value, "en")]

    def place_and_wait(self, language: str, position: int, wait_s: float | None) -> bytes:
        """'You are number N in the queue. The expected wait is M minutes.' (pieces joined)."""
        sentence = self.announcer.position(language, position)
        if wait_s is not None:
            sentence += self.announcer.expected_wait(language, wait_s)
        return sentence

    async def take_message(self, sound: CallSound) -> Recording:
        """The tone, then the caller's message until silence or the longest allowed."""
        recording: Recording = await sound.record_voicemail(self.rules, beep=self.beep)
        return recording

    def save_message(self, recording: Recording, call_id: str) -> SavedMessage:
        """Encode the message (Ogg/Opus) and keep it among the attachments. Blocking."""
        folder = self.attachments_dir / ".voicemail"
        encoded = write_opus(recording.pcm, self.fmt, folder / f"{_safe(call_id)}.ogg")
        data = encoded.path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        store_blob(self.attachments_dir, sha256, data)
        encoded.path.unlink(missing_ok=True)
        return SavedMessage(sha256, len(data), encoded.seconds, f"voicemail-{_safe(call_id)}.ogg")


def _safe(call_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in call_id)[:60]
