"""Announcements for modems without call sound through the box: spoken once, put on the modem.

A SIM800 (analog audio only) or a modem whose voice port is not wired plays
prompt files from its own storage. Nobody should have to put them there by
hand: once the line is up, each announcement the office has not given a file
for is spoken by the speech engine in the line's language, encoded as the
module wants it (AMR-NB for SIMCom, WAV for Quectel) and uploaded over AT.
A failed upload is tried again later; meanwhile the line just plays nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.ports.line import Line
from appliance.ports.line_faults import LineFault
from appliance.queue.call_commands import Prompt

log = logging.getLogger("aspa.calls.modem_prompts")

ON_THE_MODEM = (Prompt.GREETING, Prompt.CLOSED, Prompt.CALLBACK)  # no keys, no recording there
UP_CHECK_S = 2.0
RETRY_S = 60.0

Sleep = Callable[[float], Awaitable[None]]


class ModemPrompts:
    """Puts the spoken announcements on every line that plays files of its own."""

    def __init__(self, speech: CallSpeechSettings, language: str, cache_dir: Path, *,
                 prompts_dir: Path | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.speech = speech
        self.language = language
        self.cache_dir = cache_dir
        self.prompts_dir = prompts_dir  # the office's recordings, preferred to the spoken ones
        self._sleep = sleep
        self.uploaded: dict[str, list[Prompt]] = {}
        self._again: set[asyncio.Task[None]] = set()

    def wanted(self, line: Line) -> list[Prompt]:
        """The announcements this line should get: those without a configured file."""
        if line.capabilities.prompt_files is None:
            return []
        return [p for p in ON_THE_MODEM if p not in line.prompts]

    async def keep(self, lines: Sequence[Line]) -> None:
        """Serve every line (runs until cancelled, each line on its own)."""
        tasks = [asyncio.create_task(self._serve(line), name=f"prompts:{line.name}")
                 for line in lines if self.wanted(line)]
        if tasks:
            await asyncio.gather(*tasks)

    async def stop(self) -> None:
        """Stop the uploads under way (a stopped exchange)."""
        for task in list(self._again):
            task.cancel()
        await asyncio.gather(*self._again, return_exceptions=True)

    def refresh(self, lines: Sequence[Line], prompt: Prompt) -> None:
        """The office changed `prompt`: put it again on every line that got it from here."""
        for line in lines:
            if prompt in self.uploaded.get(line.name, []):
                task = asyncio.get_running_loop().create_task(
                    self._serve(line, [prompt]), name=f"prompts:{line.name}")
                self._again.add(task)
                task.add_done_callback(self._again.discard)

    async def _serve(self, line: Line, prompts: list[Prompt] | None = None) -> None:
        while True:
            while not line.is_up:
                await self._sleep(UP_CHECK_S)
            try:
                await self.upload(line, prompts)
                return
            except (LineFault, OSError, RuntimeError, ValueError) as error:  # speech, encoding
                log.warning("%s: announcements not put on the modem (%s); trying again in "
                            "%.0f s", line.name, error, RETRY_S)
                await self._sleep(RETRY_S)

    async def upload(self, line: Line, prompts: list[Prompt] | None = None) -> None:
        """Speak (or take the office's recording), encode and upload each wanted announcement."""
        fmt = line.capabilities.prompt_files
        if fmt is None:
            return
        for prompt in self.wanted(line) if prompts is None else prompts:
            data = await asyncio.to_thread(self._file, prompt, fmt)
            await line.put_prompt(prompt, data)
            done = self.uploaded.setdefault(line.name, [])
            if prompt not in done:
                done.append(prompt)
        log.info("%s: announcements on the modem: %s", line.name,
                 ", ".join(p.value for p in self.uploaded.get(line.name, [])) or "none")

    def _file(self, prompt: Prompt, audio_format: str) -> bytes:
        from appliance.media.pcm import NARROW_BAND
        from appliance.media.prompt_import import encode_for_modem
        from appliance.media.speech_cache import SpeechCache

        pcm = self._recorded(prompt)
        if pcm is None:
            cache = SpeechCache(self.cache_dir, NARROW_BAND)
            pcm = cache.speak(self.speech.text(prompt.value, self.language), self.language)
        return encode_for_modem(pcm, NARROW_BAND, audio_format)

    def _recorded(self, prompt: Prompt) -> bytes | None:
        from appliance.calls.prompt_library import recorded_prompt_name
        from appliance.media.pcm import NARROW_BAND
        from appliance.media.prompt_import import PromptFileError, read_wav

        if self.prompts_dir is None:
            return None
        path = self.prompts_dir / recorded_prompt_name(prompt.value, self.language)
        if not path.is_file():
            return None
        try:
            return read_wav(path, NARROW_BAND)
        except (PromptFileError, OSError, EOFError) as error:
            log.warning("office recording %s not usable (%s); the spoken one goes", path, error)
            return None
