"""The modem driver: AT traffic in, typed events out; commands in, AT traffic out.

It never decides routing. It detects the model, runs its init sequence,
unlocks the SIM (once: a rejected PIN stops the line), keeps registration and
signal as LineStatus events, and carries out call commands; the calls
themselves are followed by CallTracker (call_tracker.py) and SMS by
SmsService (sms.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.ports.sms_inbox import SmsSink
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock, SystemClock
from appliance.spine.events import LineStatus

from .at_channel import AtChannel
from .call_tracker import CALL_RESULT_OUTCOMES, CallTracker
from .calls import Call, CallState
from .capabilities import Capabilities
from .errors import (
    CallFailed,
    ChannelClosed,
    CommandFailed,
    FeatureNotSupported,
    IncorrectPin,
    ModemError,
    PinRejected,
    SimLocked,
    SimNotInserted,
    SimNotReady,
    SimPukRequired,
    pin_key,
)
from .models import GENERIC, PROFILES, ModelProfile, detect_model
from .pin_guard import FULL_PIN_TRIES, PinMemory, parse_tries
from .response_fields import (
    after_colon,
    parse_cops,
    parse_csq,
    parse_registration,
)
from .sms import SmsService
from .udev_model import udev_model
from .voice_path import VoiceSpec
from .voice_readiness import VoiceReadiness, assess, parse_cireg, parse_cops_act

log = logging.getLogger("aspa.gsm.driver")

# PDU mode, then +CMTI for each stored SMS and +CDS for reports (TS 27.005 §3.2.3, §3.4.1).
SMS_SETUP: tuple[tuple[str, str], ...] = (("AT+CMGF=0", "sms_pdu"),
                                          ("AT+CNMI=2,1,0,1,0", "sms_indications"))

ANSWER_TIMEOUT_S = 10.0
DIAL_TIMEOUT_S = 30.0
SUPPLEMENTARY_TIMEOUT_S = 15.0  # AT+CHLD / AT+CTFR wait for the network (TS 27.007 §7.13)
PIN_READY_TIMEOUT_S = 10.0
UPLOAD_TIMEOUT_S = 60.0
_DIAL_STRING = re.compile(r"\+?[0-9*#]{1,40}")
_BOOT_NOISE = r"(RDY|Call Ready|SMS Ready|PB DONE|\+CFUN: \d|\+QIND: (?!\"ccinfo\")|" \
              r"\+AUDIOSTATE: audio play$|START|\+CPMS:)"


@dataclass
class ModemIdentity:
    """What the modem says it is."""

    manufacturer: str = ""
    model: str = ""
    firmware: str = ""
    imei: str = ""


@dataclass
class RadioStatus:
    """Registration, signal and operator as last seen."""

    sim: str = "unknown"
    creg: int | None = None
    cereg: int | None = None
    signal: int | None = None
    operator: str | None = None

    @property
    def registered(self) -> bool:
        # 3GPP TS 27.007 §7.2: 1 registered home, 5 registered roaming
        return self.creg in (1, 5) or self.cereg in (1, 5)

    @property
    def registration(self) -> str:
        stat = self.cereg if self.cereg in (1, 5) else self.creg
        return {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown",
                5: "roaming"}.get(stat if stat is not None else -1, "unknown")



def puk_and_pin_well_formed(puk: str, pin: str) -> bool:
    """A PUK has 8 digits and a PIN 4 to 8, as SIMs take them: anything else is never
    sent, so no try of the SIM's is spent on a typing slip."""
    return puk.isdigit() and len(puk) == 8 and pin.isdigit() and 4 <= len(pin) <= 8

class ModemDriver:
    """One GSM modem: attach it to an open AT channel, then use its call and SMS methods."""

    def __init__(self, settings: ModemSettings, bus: EventBus, *, clock: Clock | None = None,
                 sms_sink: SmsSink | None = None, pin_memory: PinMemory | None = None) -> None:
        self.settings = settings
        self.pin_memory = pin_memory or PinMemory()
        self.line = settings.name
        self.bus = bus
        self.clock = clock or SystemClock()
        self.capabilities = Capabilities()
        self.tracker = CallTracker(self.line, bus, self.clock, settings, self.capabilities,
                                   self._channel)
        self.calls = self.tracker.book
        self.identity = ModemIdentity()
        self.radio = RadioStatus()
        self.profile: ModelProfile = GENERIC
        self.channel: AtChannel | None = None
        self.sms = SmsService(self.line, bus, self.clock, sms_sink)
        self.pin_rejected: str | None = None
        self.unblocked_pin: str | None = None  # the PIN set with the PUK, until aspa.toml has it
        self.voice: VoiceReadiness | None = None  # can the network carry a call (setup page)
        self._voice_key: tuple[object, object, int | None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poll_task: asyncio.Task[None] | None = None
        self._audio_done: asyncio.Future[None] | None = None
        self.voice_spec: VoiceSpec | None = None  # the host audio path now routed
        self._last_status: tuple[bool, int | None, str | None] | None = None

    # --- attaching ---------------------------------------------------------------

    async def attach(self, channel: AtChannel) -> None:
        """Take over an open channel: register URC handlers, initialise the modem."""
        self.channel = channel
        self.sms.attach(channel)
        self._register_urcs(channel)
        channel.start()
        await self._initialise(channel)
        self._poll_task = asyncio.get_running_loop().create_task(
            self.tracker.poll_loop(), name=f"clcc-poll:{self.line}")

    def detach(self, reason: str) -> None:
        """The port is gone: stop background work; calls in progress end as interrupted."""
        if self._poll_task is not None:
            self._poll_task.cancel()
            self._poll_task = None
        for task in list(self._tasks):
            task.cancel()
        self.tracker.stop("interrupted")
        self.voice, self._voice_key = None, None  # judged again on the next port
        self.channel = None
        self.sms.channel = None
        log.info("%s: detached (%s)", self.line, reason)

    def _channel(self) -> AtChannel:
        if self.channel is None or not self.channel.is_open:
            raise ChannelClosed(f"{self.line}: modem not connected")
        return self.channel

    def _register_urcs(self, ch: AtChannel) -> None:
        self.tracker.register(ch)
        ch.on(r"\+C(E)?REG:", self._on_registration)
        ch.on(r"\+CPIN:", self._on_cpin)
        ch.on(r"\+CMTI:", self._on_cmti)
        ch.on(r"\+CDS:", self.sms.on_cds, with_next_line=True)
        ch.on(_BOOT_NOISE, lambda line, _n: log.debug("%s: %s", self.line, line))

    async def _initialise(self, ch: AtChannel) -> None:
        await ch.cancel_input()
        await ch.command("ATE0")  # echo off: fewer bytes; echoed lines would be ignored anyway
        await ch.command("AT+CMEE=1")  # numeric +CME ERROR codes (TS 27.007 §9.1)
        ati = await self._text(ch, "ATI")
        cgmm = await self._text(ch, "AT+CGMM")
        self.identity = ModemIdentity(
            manufacturer=await self._text(ch, "AT+CGMI"), model=cgmm,
            firmware=_strip_label(await self._text(ch, "AT+CGMR")),
            imei=_strip_label(await self._text(ch, "AT+CGSN")))
        chosen = self.settings.model
        named = udev_model(self.settings.device) if chosen == "auto" else None
        if named in PROFILES:
            log.info("%s: model %s, as udev names it (ASPA_MODEM_MODEL)", self.line, named)
            chosen = named
        self.profile = detect_model(ati, cgmm) if chosen == "auto" else PROFILES[chosen]
        self.tracker.profile = self.profile
        if self.profile is GENERIC:
            log.warning("%s: unknown modem %r: generic mode (AT+CLCC polling)", self.line,
                        cgmm or ati)
        audio = self.profile.audio
        for pattern in (audio.play_done, audio.speak_done):
            if pattern:
                ch.on(pattern, self._on_audio_done)
        await self._unlock_sim(ch)
        steps = [("AT+CLIP=1", "caller_id"), ("AT+CREG=1", "registration_urc"),
                 ("AT+CCWA=1,1", "call_waiting"), *SMS_SETUP]
        if self.profile.lte:
            steps.insert(2, ("AT+CEREG=1", "eps_registration_urc"))
        steps += [(step.command, step.feature) for step in self.profile.init]
        for command, feature in steps:
            await self._try_feature(ch, command, feature)
        await self.refresh_status(publish=True)
        if self.capabilities.works("sms_pdu"):
            try:
                await self.sms.collect_stored()
            except ModemError as error:
                log.warning("%s: listing stored SMS failed: %s", self.line, error)
        if any(self.capabilities.works(feature) is False for _, feature in SMS_SETUP):
            self.sms.listing_due = True  # the supervisor's next check asks again, and lists

    async def keep_sms_intake(self, *, list_sim: bool = False) -> None:
        """List the SIM when a listing is due (it failed, or a setup step was refused) or
        `list_sim` asks (a +CMTI may have been lost), redoing any SMS setup step the modem
        refused first (a SIM still starting refuses them; a modem that never takes one is
        asked again only this often)."""
        if not (list_sim or self.sms.listing_due):
            return
        ch = self._channel()
        for command, feature in SMS_SETUP:
            if self.capabilities.works(feature) is False:
                await self._try_feature(ch, command, feature)
        if self.capabilities.works("sms_pdu") and (list_sim or self.sms.listing_due):
            taken = await self.sms.collect_stored()
            if taken:
                log.info("%s: %d SMS found waiting on the SIM", self.line, taken)

    async def _text(self, ch: AtChannel, command: str) -> str:
        try:
            response = await ch.command(command)
        except CommandFailed:
            return ""
        return "\n".join(response.lines).strip()

    async def _try_feature(self, ch: AtChannel, command: str, feature: str) -> bool:
        try:
            await ch.command(command)
        except CommandFailed as error:
            self.capabilities.record(feature, False, error.result)
            return False
        self.capabilities.record(feature, True)
        return True

    async def _unlock_sim(self, ch: AtChannel) -> None:
        """Enter the PIN once; never again after the SIM refused it (pin_guard.py)."""
        state = await self._sim_state(ch)
        if state == "READY":
            return
        if state == "SIM PIN":
            pin = self.unblocked_pin or self.settings.read_pin()
            if not pin:
                raise SimLocked(f"SIM PIN required: set {pin_key(self.settings.name)} in aspa.toml "
                                "or on the settings page")
            remembered = self.pin_memory.refusal(self.line, pin)
            if self.pin_rejected or remembered:
                raise PinRejected(self.pin_rejected or remembered or "", self.settings.name)
            left = await self.pin_tries_left(ch)
            if left is not None and left < FULL_PIN_TRIES:
                # an earlier try failed (perhaps before a restart): never spend another one
                self.pin_rejected = (f"the SIM has {left} PIN tries left; enter the PIN in a "
                                     "phone, or the PUK and a new PIN on the setup page")
                self.pin_memory.refused(self.line, pin, self.pin_rejected)
                raise PinRejected(self.pin_rejected, self.settings.name)
            self.pin_memory.attempting(self.line, pin)
            try:
                await ch.command(f'AT+CPIN="{pin}"', retry_busy=True)
            except (IncorrectPin, SimPukRequired) as error:
                self.pin_rejected = error.result
                self.pin_memory.refused(self.line, pin, f"the SIM refused the PIN ({error.result})")
                raise PinRejected(error.result, self.settings.name) from error
            self.pin_memory.succeeded(self.line)
            async with asyncio.timeout(PIN_READY_TIMEOUT_S):
                # the SIM needs a moment after the PIN before it reports READY
                while await self._sim_state(ch) != "READY":  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            return
        if state == "SIM PUK":
            raise SimLocked("SIM locked (PUK required): unlock it in a phone with the PUK, or "
                            "enter the PUK and a new PIN on the setup page")
        # NOT READY, or no answer a state can be read from: the SIM is starting (it takes
        # seconds after power-up); the supervisor tries again, a person need not act.
        raise SimNotReady(f"SIM not ready: {state}")

    async def pin_tries_left(self, ch: AtChannel | None = None) -> int | None:
        """PIN tries left, asked with this model's own command (pin_guard.py); None if unsaid."""
        ch = ch or self._channel()
        for query in self.profile.pin_tries:
            try:
                response = await ch.command(query.command, prefix=query.prefix)
            except CommandFailed:
                continue
            left = parse_tries(query, response.value(query.prefix))
            if left is not None:
                return left
        return None

    async def enter_puk(self, puk: str, new_pin: str, ch: AtChannel | None = None) -> None:
        """Unblock the SIM with its PUK and set a new PIN (3GPP TS 27.007 §8.3, +CPIN=<puk>,
        <newpin>; SIM7600 Series AT Command Manual §5.2.1, EC25 AT Commands Manual §7.2).

        `ch` is a channel opened for this alone when the line is parked on the PUK (not
        attached). The new PIN is used from now on, before aspa.toml holds it. A wrong PUK
        raises IncorrectPin and counts down the PUK's own ten tries; SimFailure after the
        tenth: the SIM is dead.
        """
        if not puk_and_pin_well_formed(puk, new_pin):
            raise ValueError("the PUK has 8 digits and a PIN 4 to 8")
        await (ch or self._channel()).command(f'AT+CPIN="{puk}","{new_pin}"', retry_busy=True)
        self.unblocked_pin = new_pin
        self.pin_rejected = None
        self.pin_memory.clear(self.line)

    async def puk_tries_left(self, ch: AtChannel) -> int | None:
        """The PUK's tries left (+CPINR, TS 27.007 §8.65), None where the model does not say."""
        try:
            response = await ch.command("AT+CPINR", prefix="+CPINR:")
        except CommandFailed:
            return None
        for value in response.values("+CPINR:"):
            fields = [f.strip().strip('"') for f in value.split(",")]
            if len(fields) > 1 and fields[0] == "SIM PUK" and fields[1].isdigit():
                return int(fields[1])
        return None

    async def _sim_state(self, ch: AtChannel) -> str:
        try:
            response = await ch.command("AT+CPIN?", prefix="+CPIN:")
        except SimNotInserted:
            self.radio.sim = "not inserted"
            raise SimLocked("no SIM card in the modem") from None
        except SimPukRequired:
            self.radio.sim = "SIM PUK"
            return "SIM PUK"
        state = response.value("+CPIN:") or "unknown"
        self.radio.sim = state
        return state

    # --- status ----------------------------------------------------------------

    async def refresh_status(self, *, publish: bool = False) -> RadioStatus:
        """Ask registration, signal and operator; publish LineStatus when something changed."""
        ch = self._channel()
        with contextlib.suppress(CommandFailed):
            reply = (await ch.command("AT+CREG?", prefix="+CREG:")).value("+CREG:")
            self.radio.creg = parse_registration("+CREG: " + (reply or ""), query=True)
        if self.profile.lte:
            with contextlib.suppress(CommandFailed):
                reply = (await ch.command("AT+CEREG?", prefix="+CEREG:")).value("+CEREG:")
                self.radio.cereg = parse_registration("+CEREG: " + (reply or ""), query=True)
        with contextlib.suppress(CommandFailed):
            self.radio.signal = parse_csq((await ch.command("AT+CSQ", prefix="+CSQ:")).lines[0])
        act = None
        with contextlib.suppress(CommandFailed, IndexError):
            cops = await ch.command("AT+COPS?", prefix="+COPS:", time_limit=10)
            self.radio.operator = parse_cops(cops.lines[0])
            act = parse_cops_act(cops.lines[0])
        if (self.radio.creg, self.radio.cereg, act) != self._voice_key:
            # judged again only when the network or its technology changed: on LTE that
            # asks the IMS registration (and the VoLTE switch) once, not at every check
            self._voice_key = (self.radio.creg, self.radio.cereg, act)
            self.voice = await self._judge_voice(ch, act)
            if self.voice.can_carry_voice is not True:
                log.warning("%s: %s", self.line, self.voice.detail)
        self._publish_status(force=publish)
        return self.radio

    def _publish_status(self, force: bool = False) -> None:
        key = (self.radio.registered, self.radio.signal, self.radio.operator)
        if key == self._last_status and not force:
            return
        self._last_status = key
        self.bus.publish(LineStatus(
            at=self.clock.now(), line=self.line, registered=self.radio.registered,
            signal=self.radio.signal, operator=self.radio.operator,
            detail=self.radio.registration))

    def _on_registration(self, line: str, _next: str | None) -> None:
        stat = parse_registration(line, query=False)
        if line.startswith("+CEREG"):
            self.radio.cereg = stat
        else:
            self.radio.creg = stat
        self._publish_status()

    def _on_cpin(self, line: str, _next: str | None) -> None:
        self.radio.sim = after_colon(line)
        if self.radio.sim != "READY":
            log.warning("%s: SIM reports %s", self.line, self.radio.sim)

    def _on_cmti(self, line: str, _next: str | None) -> None:
        task = self.sms.on_cmti(line, _next)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- call control ----------------------------------------------------------------

    async def poll_calls(self) -> None:
        """Ask AT+CLCC and bring the call book in line with the modem's list."""
        await self.tracker.poll_calls()

    async def answer(self, call_id: str) -> None:
        """Answer a ringing call (ATA), or accept a waiting one (AT+CHLD=2)."""
        call = self.tracker.get(call_id)
        ch = self._channel()
        if call.state is CallState.WAITING:
            await ch.command("AT+CHLD=2", time_limit=SUPPLEMENTARY_TIMEOUT_S)
            await self.tracker.poll_calls()
            return
        try:
            await ch.command("ATA", call_result=True, time_limit=ANSWER_TIMEOUT_S)
        except CallFailed:
            self.tracker.end(call, "missed")
            raise
        self.tracker.set_state(call, CallState.ACTIVE)

    async def reject(self, call_id: str) -> None:
        """Refuse a ringing or waiting call (the caller hears busy)."""
        call = self.tracker.get(call_id)
        call.planned_outcome = "rejected"
        try:
            if call.state is CallState.WAITING:
                # TS 27.007 §7.13: CHLD=0 sets User Determined User Busy for a waiting call
                await self._channel().command("AT+CHLD=0", time_limit=SUPPLEMENTARY_TIMEOUT_S)
            else:
                await self._release(call)
        except ModemError:
            call.planned_outcome = None
            raise
        self.tracker.end(call)

    async def hangup(self, call_id: str) -> None:
        """Hang up one call (a ringing one counts as rejected)."""
        call = self.tracker.get(call_id)
        if call.state in (CallState.INCOMING, CallState.WAITING):
            await self.reject(call_id)
            return
        await self._release(call)
        self.tracker.end(call)

    async def hangup_all(self) -> None:
        """Hang up every call."""
        await self._hangup_all()
        for call in list(self.calls):
            self.tracker.end(call)

    async def _release(self, call: Call) -> None:
        if len(self.calls) == 1:
            await self._hangup_all()
            return
        if call.index is None:
            await self.tracker.poll_calls()
        if call.index is None:
            raise ModemError(f"{self.line}: call {call.call_id} is not in the modem's call list")
        await self._channel().command(f"AT+CHLD=1{call.index}", time_limit=SUPPLEMENTARY_TIMEOUT_S)

    async def _hangup_all(self) -> None:
        ch = self._channel()
        try:
            await ch.command("AT+CHUP")
        except CommandFailed:
            await ch.command("ATH")  # V.250 §6.3.6 where +CHUP is missing

    async def dial(self, number: str) -> str:
        """Call `number`; returns the call id at once (progress comes as CallStateChanged)."""
        if not _DIAL_STRING.fullmatch(number):
            raise ValueError(f"not a dialable number: {number!r}")
        ch = self._channel()
        call = self.calls.add(Call(self.line, False, CallState.DIALING, self.clock.now(), number))
        self.tracker.publish_state(call)
        try:
            await ch.command(f"ATD{number};", call_result=True, time_limit=DIAL_TIMEOUT_S)
        except CallFailed as error:
            self.tracker.end(call, CALL_RESULT_OUTCOMES.get(error.result, "failed"))
            raise
        except ModemError:
            self.tracker.end(call, "failed")
            raise
        return call.call_id

    async def hold(self) -> None:
        """Put the active call on hold (and take a waiting or held one, if any)."""
        await self._supplementary("AT+CHLD=2", "hold")

    async def conference(self) -> None:
        """Join the held call to the active one (AT+CHLD=3)."""
        await self._supplementary("AT+CHLD=3", "conference")

    async def transfer(self) -> None:
        """Explicit call transfer (AT+CHLD=4, TS 23.091): connect the two calls and drop out."""
        live = list(self.calls)
        for call in live:
            call.planned_outcome = "transferred"
        try:
            await self._supplementary("AT+CHLD=4", "transfer")
        except ModemError:
            for call in live:
                call.planned_outcome = None
            raise

    async def deflect(self, call_id: str, number: str) -> None:
        """Send a ringing call elsewhere before answering (AT+CTFR, TS 27.007 §7.14)."""
        if not _DIAL_STRING.fullmatch(number):
            raise ValueError(f"not a dialable number: {number!r}")
        call = self.tracker.get(call_id)
        number_type = 145 if number.startswith("+") else 129
        call.planned_outcome = "deflected"
        try:
            await self._channel().command(f'AT+CTFR="{number}",{number_type}',
                                          time_limit=SUPPLEMENTARY_TIMEOUT_S)
        except CommandFailed as error:
            call.planned_outcome = None
            self.capabilities.record("deflect", False, error.result)
            raise
        self.capabilities.record("deflect", True)
        self.tracker.end(call)

    async def _supplementary(self, command: str, feature: str) -> None:
        try:
            await self._channel().command(command, time_limit=SUPPLEMENTARY_TIMEOUT_S)
        except CommandFailed as error:
            self.capabilities.record(feature, False, error.result)
            raise
        self.capabilities.record(feature, True)
        await self.tracker.poll_calls()

    # --- audio to the caller --------------------------------------------------------------

    async def play_prompt(self, path: str, *, wait: bool = True, time_limit: float = 120.0) -> None:
        """Play an audio file on the modem to the far end of the active call."""
        template = self.profile.audio.play
        if template is None:
            raise FeatureNotSupported(f"{self.line}: {self.profile.label} cannot play audio files")
        await self._audio(template.format(path=path), "play_prompt", wait, time_limit)

    async def speak(self, text: str, *, wait: bool = True, time_limit: float = 120.0) -> None:
        """Speak `text` to the far end (the modem's text-to-speech)."""
        template = self.profile.audio.speak
        if template is None:
            raise FeatureNotSupported(f"{self.line}: {self.profile.label} has no text-to-speech")
        await self._audio(template.format(text=text.replace('"', "'")), "speak", wait, time_limit)

    async def _audio(self, command: str, feature: str, wait: bool, time_limit: float) -> None:
        loop = asyncio.get_running_loop()
        self._audio_done = loop.create_future()
        try:
            await self._channel().command(command)
        except CommandFailed as error:
            self.capabilities.record(feature, False, error.result)
            raise
        self.capabilities.record(feature, True)
        if wait:
            async with asyncio.timeout(time_limit):
                await self._audio_done

    def _on_audio_done(self, line: str, _next: str | None) -> None:
        if self._audio_done is not None and not self._audio_done.done():
            self._audio_done.set_result(None)

    # --- the call's audio through the host (voice_path.py) ---------------------------

    async def start_voice(self) -> VoiceSpec:
        """Route the active call's audio to the host's voice port; the path that answered OK."""
        if not self.profile.voice:
            raise FeatureNotSupported(f"{self.line}: {self.profile.label} gives the host no "
                                      "call audio (prompts play from the module's storage)")
        ch = self._channel()
        last: CommandFailed | None = None
        for spec in self.profile.voice:
            if spec.kind != self.settings.voice_mode:
                continue
            try:
                await ch.command(spec.start)
            except CommandFailed as error:
                last = error
                continue
            self.capabilities.record("voice_port", True)
            self.voice_spec = spec
            return spec
        detail = last.result if last is not None else f"no {self.settings.voice_mode} voice path"
        self.capabilities.record("voice_port", False, detail)
        raise FeatureNotSupported(f"{self.line}: the modem refused the voice port ({detail})")

    async def stop_voice(self) -> None:
        """Take the call's audio back from the host (safe when it was never started)."""
        spec, self.voice_spec = self.voice_spec, None
        if spec is not None and self.channel is not None and self.channel.is_open:
            with contextlib.suppress(ModemError):  # refused, or the port is going away
                await self.channel.command(spec.stop)

    async def upload_file(self, name: str, data: bytes) -> str:
        """Put a prompt file on the module's storage; the path its play command takes."""
        spec = self.profile.upload
        if spec is None:
            raise FeatureNotSupported(f"{self.line}: {self.profile.label} has no file upload")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}\.(amr|wav)", name):
            raise ValueError(f"not a safe file name for the modem: {name!r}")
        if not data:
            raise ValueError("nothing to upload")
        ch = self._channel()
        path = spec.path_template.format(name=name)
        if spec.kind == "fswrite":
            # SIM800 manual, AT+FSCREATE / AT+FSWRITE=<file>,<mode 0 new|1 append>,<size>,<s>
            with contextlib.suppress(CommandFailed):
                await ch.command(f"AT+FSDEL={path}")
            await ch.command(f"AT+FSCREATE={path}")
            for offset in range(0, len(data), spec.chunk_bytes):
                chunk = data[offset:offset + spec.chunk_bytes]
                await ch.send_data(f"AT+FSWRITE={path},{1 if offset else 0},{len(chunk)},10",
                                   chunk, time_limit=UPLOAD_TIMEOUT_S)
        elif spec.kind == "cftranrx":
            # SIM7500/SIM7600 manual, AT+CFTRANRX="<file>",<len>
            await ch.send_data(f'AT+CFTRANRX="{path}",{len(data)}', data,
                               time_limit=UPLOAD_TIMEOUT_S)
        else:
            # Quectel EC2x FILE manual, AT+QFUPL="<file>",<size>,<timeout>: CONNECT, then bytes
            with contextlib.suppress(CommandFailed):
                await ch.command(f'AT+QFDEL="{path}"')
            reply = await ch.send_data(f'AT+QFUPL="{path}",{len(data)},60', data, connect=True,
                                       prefix="+QFUPL:", time_limit=UPLOAD_TIMEOUT_S)
            stored = (reply.value("+QFUPL:") or "").split(",")[0].strip()
            if stored != str(len(data)):
                raise ModemError(f"{self.line}: the modem stored {stored or 'nothing'} of "
                                 f"{len(data)} bytes of {name}")
        self.capabilities.record("prompt_upload", True)
        return path

    async def voice_readiness(self) -> VoiceReadiness:
        """Whether the registered network can carry a call now (voice_readiness.py)."""
        ch = self._channel()
        act = None
        with contextlib.suppress(CommandFailed, IndexError):
            act = parse_cops_act((await ch.command("AT+COPS?", prefix="+COPS:")).lines[0])
        return await self._judge_voice(ch, act)

    async def _judge_voice(self, ch: AtChannel, act: int | None) -> VoiceReadiness:
        ims = None
        if self.profile.lte:
            with contextlib.suppress(CommandFailed, IndexError):
                ims = parse_cireg((await ch.command("AT+CIREG?", prefix="+CIREG:")).lines[0])
        volte = None
        if self.profile.volte_query:
            with contextlib.suppress(CommandFailed, IndexError):
                reply = await ch.command(self.profile.volte_query, prefix="+QCFG:")
                volte = reply.lines[0].rstrip().endswith(",1")
        return assess(self.radio.registered, act, ims, volte)

    async def enable_volte(self) -> bool:
        """Switch IMS (VoLTE) on where the module has a command for it; True when accepted.

        Takes effect after the module restarts; Aspa does not restart it by itself.
        """
        command = self.profile.volte_enable
        if command is None:
            return False
        try:
            await self._channel().command(command)
        except CommandFailed as error:
            self.capabilities.record("volte", False, error.result)
            return False
        self.capabilities.record("volte", True)
        return True

    # --- SMS ------------------------------------------------------------------------

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Send an SMS (long texts as concatenated parts); returns the message references."""
        return await self.sms.send(number, text)

    async def sweep_stored_sms(self, is_theirs: Callable[[str], bool]) -> int:
        """Delete the SMS still stored on the SIM whose sender `is_theirs`; how many went.

        ChannelClosed when the modem is not attached.
        """
        from appliance.gsm.sim_sweep import delete_from_sim

        channel = self.channel
        if channel is None or not channel.is_open:
            raise ChannelClosed(f"{self.line}: the modem is not attached")
        return len(await delete_from_sim(channel, is_theirs))


def _strip_label(text: str) -> str:
    """`+CGMR: X` / `Revision: X` / `X` -> `X`."""
    first = text.splitlines()[0] if text else ""
    for label in ("+CGMR:", "Revision:", "+CGSN:"):
        if first.startswith(label):
            return first[len(label):].strip()
    return first.strip()
