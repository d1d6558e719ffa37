"""The VoIP line plugged into the daemon as an adapter: baresip supervised in the background."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Final

from appliance.config.sections.voip import VoipSettings
from appliance.ports.adapter import AdapterHealth
from appliance.queue.call_commands import Prompt
from appliance.queue.connect_methods import ConnectKnowledge
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.task_ending import finish_or_cancel
from appliance.voip.prompt_audio import HOLD_MUSIC, prepare_prompts
from appliance.voip.supervisor import VoipSupervisor
from appliance.voip.voip_line import VoipLine

if TYPE_CHECKING:  # the media part loads numpy: only with call_sound = "box"
    from appliance.media.media_engine import MediaEngine

log = logging.getLogger("aspa.voip")

STOP_TIMEOUT_S: Final = 5.0
AUDIO_NAMES: Final = (*(p.value for p in Prompt), HOLD_MUSIC)


class VoipLineAdapter:
    """Starts the line's supervisor with the daemon and stops it with the daemon."""

    def __init__(self, settings: VoipSettings, bus: EventBus, clock: Clock, work_dir: Path,
                 knowledge: ConnectKnowledge | None = None,
                 engine: MediaEngine | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.work_dir = work_dir / settings.name
        # made here, so that parts wired after it (the exchange) can hold the line
        self.line = VoipLine(settings, bus, clock, knowledge=knowledge)
        if settings.call_sound == "box":
            self.line.engine = engine  # the box's media engine carries the calls' sound
        self.supervisor = VoipSupervisor(self.line, self.work_dir)
        self._task: asyncio.Task[None] | None = None

    def use_settings(self, settings: VoipSettings) -> None:
        """Take the account's saved settings at the next start(): the same line object goes on
        (the exchange holds it), baresip is set up anew. Its name and call_sound stay: a change
        of those is the daemon's restart (the exchange and the media engine are wired to them).
        """
        if (settings.name, settings.call_sound) != (self.settings.name,
                                                    self.settings.call_sound):
            raise ValueError(f"{self.name}: a new name or call_sound needs the daemon's restart")
        self.settings = settings
        self.line.settings = settings
        self.line.audio, self.line.prompts = {}, {}  # start() reads audio_dir again

    async def start(self) -> None:
        """Check the audio files, try baresip once (so READY tells how it went), then keep it up."""
        if self.settings.audio_dir and self.settings.call_sound != "box":
            # with the sound through the box the exchange speaks; baresip's aufile cannot
            # play the float samples that mode runs on (baresip_files.JACK_SETTINGS)
            # a bad file is a configuration mistake: AudioFileError names it and stops the start
            self.line.audio = prepare_prompts(Path(self.settings.audio_dir),
                                              self.work_dir / "audio", AUDIO_NAMES)
            self.line.prompts = {p: f.path for p in Prompt
                                 if (f := self.line.audio.get(p.value)) is not None}
        self.supervisor = VoipSupervisor(self.line, self.work_dir)  # fresh after a stop
        try:
            await self.supervisor.start_once()
        except Exception as error:  # BaresipStartError mostly; the watch loop retries anyway
            log.warning("%s: baresip not up at start (%s); retrying in the background",
                        self.name, error)
            self.supervisor.detail = str(error)
        self._task = asyncio.create_task(self.supervisor.run(), name=f"voip-line:{self.name}")

    async def stop(self) -> None:
        """Stop baresip: calls under way end as interrupted."""
        await self.supervisor.stop()
        if self._task is not None:
            await finish_or_cancel(self._task, STOP_TIMEOUT_S)
            self._task = None

    def health(self) -> AdapterHealth:
        line = self.line
        if self.supervisor.state != "up":
            detail = self.supervisor.state
            return AdapterHealth(ok=False, detail=f"{detail}: {self.supervisor.detail}"
                                 if self.supervisor.detail else detail)
        detail = line.registration + (f": {line.last_error}" if line.last_error else "")
        return AdapterHealth(ok=line.is_up, detail=detail)
