"""One GSM modem line: the daemon's adapter for it, and the line the exchange drives.

As an adapter it starts the modem's line supervisor, which keeps the modem up by
itself (reopen, reset, park on a rejected PIN) and reports its own health as
`gsm:<line>`; so a modem that is down at start is not a start failure here, and
is not retried a second way. As a line (appliance.ports.line) it turns the call
flow's commands into driver calls: it decides nothing, it only says which call
ids are whose and whether the network accepted a supplementary service.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.calls import CallState
from appliance.gsm.driver import ModemDriver
from appliance.gsm.errors import CommandFailed, ModemError
from appliance.gsm.pin_guard import PinMemory
from appliance.gsm.supervisor import ModemSupervisor
from appliance.ports.adapter import AdapterHealth
from appliance.ports.line import LineCapabilities
from appliance.ports.sms_inbox import SmsSink
from appliance.queue.call_commands import Prompt
from appliance.queue.connect_methods import PREFERENCE, ConnectKnowledge, ConnectMethod
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.task_ending import finish_or_cancel

if TYPE_CHECKING:  # the media part loads numpy: only a line with a voice port imports it
    from appliance.gsm.voice_path import VoiceSpec
    from appliance.media.call_audio import CallAudio
    from appliance.media.media_engine import MediaEngine
    from appliance.media.voice_port import VoicePort

log = logging.getLogger("aspa.gsm.line")

STOP_TIMEOUT_S = 5.0


class GsmLine:
    """One modem: its driver and supervisor, its announcement files and what it has learned."""

    def __init__(
        self,
        driver: ModemDriver,
        *,
        prompts: Mapping[Prompt, str] | None = None,
        knowledge: ConnectKnowledge | None = None,
    ) -> None:
        self.driver = driver
        self.prompts = dict(prompts or {})
        self.knowledge = knowledge or ConnectKnowledge()
        self.supervisor = ModemSupervisor(driver)
        self._task: asyncio.Task[None] | None = None
        self.engine: MediaEngine | None = None  # set when the modem's voice port is configured
        self._sounds: dict[str, CallAudio] = {}

    @classmethod
    def for_modem(cls, settings: ModemSettings, bus: EventBus, clock: Clock, *,
                  sms_sink: SmsSink | None = None,
                  prompts: Mapping[Prompt, str] | None = None,
                  pin_memory: PinMemory | None = None,
                  engine: MediaEngine | None = None) -> GsmLine:
        """The line of one `[[gsm.modems]]` entry; `pin_memory` keeps PIN refusals on disk.

        With `engine` (the box's media engine) and the entry's voice_device set, callers'
        sound goes through the box: announcements, hold music, keys, voicemail.
        """
        line = cls(ModemDriver(settings, bus, clock=clock, sms_sink=sms_sink,
                               pin_memory=pin_memory), prompts=prompts)
        if settings.voice_device:
            line.engine = engine
        return line

    def restore(self, knowledge: ConnectKnowledge) -> None:
        """Take back what the line learned about hand-over methods before a restart."""
        self.knowledge = knowledge

    # --- the adapter ------------------------------------------------------------------

    async def start(self) -> None:
        """Try the modem once (so READY tells how it went), then keep it up in the background."""
        self.supervisor = ModemSupervisor(self.driver)  # fresh: a stopped one does not run again
        if not await self.supervisor.connect():
            log.warning("%s: modem not up at start (%s); retrying in the background",
                        self.name, self.supervisor.detail or self.supervisor.state)
        self._task = asyncio.create_task(self.supervisor.run(), name=f"gsm-line:{self.name}")

    def use_settings(self, settings: ModemSettings) -> None:
        """Take the modem's saved settings (a new SIM PIN) at the next start().

        A PIN the SIM refused stays refused (pin_guard.py); a different one is tried once.
        """
        self.driver.settings = settings
        self.driver.pin_rejected = None

    async def stop(self) -> None:
        """Stop the line: calls under way end as interrupted, the port is closed."""
        await self.supervisor.stop()
        if self._task is not None:
            await finish_or_cancel(self._task, STOP_TIMEOUT_S)
            self._task = None

    async def unblock_sim(self, puk: str, new_pin: str) -> None:
        """The SIM, locked after wrong PINs, opened with its PUK and a new PIN; then the line
        starts again with that PIN (SimUnblockRefused says why not)."""
        await self.supervisor.unblock_sim(puk, new_pin)
        await self.stop()
        await self.start()

    def health(self) -> AdapterHealth:
        """The supervisor's state: up, or what it is waiting for."""
        state, detail = self.supervisor.state, self.supervisor.detail
        text = f"{state}: {detail}" if detail else state
        voice = self.driver.voice
        if state != "up" or voice is None:
            return AdapterHealth(ok=state == "up", detail=text)
        # Up is not enough: the installer is told plainly when this SIM and network cannot
        # carry a call (2G/3G switched off, no VoLTE), on the setup page and in doctor.
        return AdapterHealth(ok=voice.can_carry_voice is not False,
                             detail=f"{text}; voice: {voice.detail}")

    # --- the line ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The line's name (gsm0...)."""
        return self.driver.line

    @property
    def is_up(self) -> bool:
        """True while the modem is attached."""
        channel = self.driver.channel
        return channel is not None and channel.is_open

    @property
    def plays_prompts(self) -> bool:
        """True when the modem can play files to the caller and some are configured."""
        return self.driver.profile.audio.play is not None and bool(self.prompts)

    @property
    def has_audio(self) -> bool:
        """True when this model routes call audio to the host and its voice port is set."""
        return self.engine is not None and bool(self.driver.profile.voice)

    @property
    def capabilities(self) -> LineCapabilities:
        """One agent leg at a time (TS 22.083: one held, one active call).

        With the voice port, the box speaks, plays music, hears keys and records, and
        may bridge the call to an agent dialled on another such line.
        """
        audio = self.has_audio
        upload = self.driver.profile.upload
        files = None if audio or upload is None else upload.audio_format
        order = PREFERENCE if audio else tuple(m for m in PREFERENCE if m.one_line)
        return LineCapabilities(plays_prompts=audio or self.plays_prompts,
                                records_voicemail=audio, has_audio=audio, prompt_files=files,
                                hand_over=order)

    @property
    def is_idle(self) -> bool:
        """True when the modem has no call."""
        return not len(self.driver.calls)

    def owns(self, call_id: str) -> bool:
        """True when the call is one of this line's live calls."""
        return self.driver.calls.get(call_id) is not None

    def is_waiting(self, call_id: str) -> bool:
        """True when the call came as a waiting call on a busy line (+CCWA)."""
        call = self.driver.calls.get(call_id)
        return call is not None and call.state is CallState.WAITING

    def is_busy_besides(self, call_id: str) -> bool:
        """True when the line has live calls other than this one."""
        return any(c.call_id != call_id for c in self.driver.calls)

    def learn(self, method: ConnectMethod, ok: bool) -> None:
        """Remember what the network said about a hand-over method."""
        self.knowledge = self.knowledge.after(method, ok)

    # --- commands ---------------------------------------------------------------------

    async def answer(self, call_id: str) -> None:
        await self.driver.answer(call_id)

    async def hold(self, call_id: str) -> None:
        # the modem's one active call is the caller's (TS 27.007 §7.13: CHLD=2)
        await self.driver.hold()

    async def resume(self, call_id: str) -> None:
        # TS 27.007 §7.13: CHLD=2 with only a held call takes it back
        await self.driver.hold()

    async def dial(self, target: str) -> str:
        return await self.driver.dial(target)

    async def ring_parallel(self, targets: Sequence[str]) -> tuple[str, ...]:
        """A modem rings one phone: anything else is a mistake of the caller of this."""
        if len(targets) != 1:
            raise ModemError(f"{self.name}: a modem rings one phone at a time")
        return (await self.dial(targets[0]),)

    async def hang_up_leg(self, leg_id: str) -> None:
        if self.driver.calls.get(leg_id) is not None:
            await self.driver.hangup(leg_id)

    async def hand_over(self, method: ConnectMethod, call_id: str, leg_id: str) -> bool:
        """ECT or conference of the modem's two calls; False when the network refused it."""
        try:
            if method is ConnectMethod.ECT:
                await self.driver.transfer()
            else:
                await self.driver.conference()
        except CommandFailed as error:
            log.info("%s: %s refused: %s", self.name, method, error)
            return False
        return True

    async def deflect(self, call_id: str, number: str) -> bool:
        """Deflect the ringing caller; False when the network refused it."""
        try:
            await self.driver.deflect(call_id, number)
        except CommandFailed as error:
            log.info("%s: deflection refused: %s", self.name, error)
            return False
        return True

    async def hang_up(self, call_id: str, leg_id: str | None = None) -> None:
        """End the caller's call and its agent leg; a waiting caller of another flow stays."""
        mine = {call_id, leg_id}
        if not any(c.call_id not in mine for c in self.driver.calls):
            if len(self.driver.calls):
                await self.driver.hangup_all()
            return
        for own in (leg_id, call_id):
            if own is not None and self.driver.calls.get(own) is not None:
                await self.driver.hangup(own)  # AT+CHLD=1x: only this call

    async def reject(self, call_id: str) -> None:
        if self.driver.calls.get(call_id) is not None:
            await self.driver.reject(call_id)

    async def play(self, call_id: str, prompt: Prompt) -> None:
        """Play the prompt's file to the caller and wait until it has played."""
        path = self.prompts.get(prompt)
        if path is None:
            return
        await self.driver.play_prompt(path)

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        return await self.driver.send_sms(number, text)

    async def put_prompt(self, prompt: Prompt, data: bytes) -> None:
        """Upload an announcement to the modem's storage; it plays from there from now on."""
        upload = self.driver.profile.upload
        if upload is None:
            raise ModemError(f"{self.name}: {self.driver.profile.label} stores no files")
        path = await self.driver.upload_file(f"aspa_{prompt.value}.{upload.audio_format}", data)
        self.prompts[prompt] = path

    async def open_audio(self, call_id: str) -> CallAudio | None:
        """Route the active call's sound to the voice port and start its audio thread.

        Keys come from the modem's DTMF reports where they work (AT+DDET / AT+QTONEDET);
        where they do not, the audio thread listens for the tones itself.
        """
        if not self.has_audio or self.engine is None:
            return None
        from appliance.media.voice_port import VoicePortError

        await self.close_audio(call_id)
        spec = await self.driver.start_voice()
        device = self.driver.settings.voice_device
        try:
            port = await asyncio.to_thread(_open_voice_port, spec, device,
                                           f"{self.name}:{call_id}")
        except VoicePortError as error:
            await self.driver.stop_voice()
            raise ModemError(f"{self.name}: {error}") from error
        hears_keys = self.driver.capabilities.works("dtmf") is not True
        sound = self.engine.open(f"{self.name}:{call_id}", port, detect_keys=hears_keys)
        self._sounds[call_id] = sound
        return sound

    async def close_audio(self, call_id: str) -> None:
        """Stop the call's audio thread and give the sound back to the modem."""
        sound = self._sounds.pop(call_id, None)
        if sound is None or self.engine is None:
            return
        await self.engine.close(sound.name)
        await self.driver.stop_voice()


def _open_voice_port(spec: VoiceSpec, device: str, name: str) -> VoicePort:
    """The call's voice port as the model routed it: a USB serial port, or (EC25/EG25 after
    AT+QPCMV=1,2) the module's USB audio card through ALSA. Blocking: run in a thread."""
    if spec.kind == "uac":
        from appliance.gsm.uac_voice_port import UacVoicePort

        return UacVoicePort(device, spec.fmt, name=name)
    from appliance.gsm.serial_voice_port import SerialVoicePort

    return SerialVoicePort(device, spec.fmt, name=name)
