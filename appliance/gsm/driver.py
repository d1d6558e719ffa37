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
from dataclasses import dataclass
from typing import Any

from appliance.clock import Clock, SystemClock
from appliance.events import EventBus, LineStatus

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
    SimPukRequired,
)
from .models import GENERIC, PROFILES, ModelProfile, detect_model
from .response_fields import (
    after_colon,
    parse_cops,
    parse_csq,
    parse_registration,
)
from .settings import ModemSettings
from .sms import SmsService, SmsSink
from .udev_model import udev_model

log = logging.getLogger("aspa.gsm.driver")

ANSWER_TIMEOUT_S = 10.0
DIAL_TIMEOUT_S = 30.0
SUPPLEMENTARY_TIMEOUT_S = 15.0  # AT+CHLD / AT+CTFR wait for the network (TS 27.007 §7.13)
PIN_READY_TIMEOUT_S = 10.0
FULL_PIN_TRIES = 3  # 3GPP TS 31.101 §9.1: a SIM allows three PIN tries
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


class ModemDriver:
    """One GSM modem: attach it to an open AT channel, then use its call and SMS methods."""

    def __init__(self, settings: ModemSettings, bus: EventBus, *, clock: Clock | None = None,
                 sms_sink: SmsSink | None = None) -> None:
        self.settings = settings
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
        self._tasks: set[asyncio.Task[Any]] = set()
        self._poll_task: asyncio.Task[None] | None = None
        self._audio_done: asyncio.Future[None] | None = None
        self._last_status: tuple[bool, int | None, str | None] | None = None

    # --- attaching ---------------------------------------------------------------

    async def attach(self, channel: AtChannel) -> None:
        """Take over an open channel: register URC handlers, initialise the modem."""
        self.channel = channel
        self.sms.channel = channel
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
                 ("AT+CCWA=1,1", "call_waiting"), ("AT+CMGF=0", "sms_pdu"),
                 ("AT+CNMI=2,1,0,1,0", "sms_indications")]
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
        """Enter the PIN once; never again after the SIM refused it (the SIM locks at three)."""
        state = await self._sim_state(ch)
        if state == "READY":
            return
        if state == "SIM PIN":
            if self.pin_rejected:
                raise PinRejected(self.pin_rejected)
            pin = self.settings.read_pin()
            if not pin:
                raise SimLocked("SIM PIN required: set gsm.pin in aspa.toml")
            left = await self._pin_tries_left(ch)
            if left is not None and left < FULL_PIN_TRIES:
                # an earlier try failed (perhaps before a restart): never spend another one
                self.pin_rejected = f"the SIM has {left} PIN tries left"
                raise PinRejected(self.pin_rejected)
            try:
                await ch.command(f'AT+CPIN="{pin}"', retry_busy=True)
            except (IncorrectPin, SimPukRequired) as error:
                self.pin_rejected = error.result
                raise PinRejected(error.result) from error
            async with asyncio.timeout(PIN_READY_TIMEOUT_S):
                # the SIM needs a moment after the PIN before it reports READY
                while await self._sim_state(ch) != "READY":  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            return
        if state == "SIM PUK":
            raise SimLocked("SIM locked (PUK required): unlock it in a phone with the PUK")
        raise SimLocked(f"SIM not ready: {state}")

    async def _pin_tries_left(self, ch: AtChannel) -> int | None:
        """PIN tries left (TS 27.007 §8.65 AT+CPINR), or None where the modem does not say."""
        try:
            response = await ch.command('AT+CPINR="SIM PIN"', prefix="+CPINR:")
        except CommandFailed:
            return None
        fields = (response.value("+CPINR:") or "").split(",")
        return int(fields[1]) if len(fields) > 1 and fields[1].strip().isdigit() else None

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
        with contextlib.suppress(CommandFailed, IndexError):
            cops = await ch.command("AT+COPS?", prefix="+COPS:", time_limit=10)
            self.radio.operator = parse_cops(cops.lines[0])
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

    # --- SMS ------------------------------------------------------------------------

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Send an SMS (long texts as concatenated parts); returns the message references."""
        return await self.sms.send(number, text)


def _strip_label(text: str) -> str:
    """`+CGMR: X` / `Revision: X` / `X` -> `X`."""
    first = text.splitlines()[0] if text else ""
    for label in ("+CGMR:", "Revision:", "+CGSN:"):
        if first.startswith(label):
            return first[len(label):].strip()
    return first.strip()
