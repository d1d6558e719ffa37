"""The VoIP line: baresip's events become Aspa's call events; line commands become baresip's.

This decides nothing: it says which calls exist, how they change and end,
and whether the far end took a transfer. The call flow decides the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from appliance.config.sections.voip import VoipSettings
from appliance.ports.line import LineCapabilities
from appliance.queue.call_commands import Prompt
from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import (
    CallEnded,
    CallOffered,
    CallStateChanged,
    DtmfReceived,
    LineStatus,
)
from appliance.voip.baresip_files import DISCARD_PLAYER, QUIET_SOURCE, account_line
from appliance.voip.call_sound_jack import call_sound_through_jack
from appliance.voip.control import BaresipControl
from appliance.voip.errors import CommandFailed, ControlLost, UnknownCall, VoipError
from appliance.voip.prompt_audio import HOLD_MUSIC, PromptFile
from appliance.voip.sip_calls import SipCall, caller_number

if TYPE_CHECKING:  # the media part loads numpy: only a line whose sound is the box's
    from appliance.media.call_audio import CallAudio
    from appliance.media.media_engine import MediaEngine

log = logging.getLogger("aspa.voip.line")

ANSWER_TIMEOUT_S: Final = 5.0
TRANSFER_TIMEOUT_S: Final = 10.0
_TRANSFERRED: Final = "transferred"
_ENDED_REMEMBERED: Final = 1000
_ANSI_COLOUR: Final = re.compile(r"\x1b\[[0-9;]*m")
_bridges = itertools.count(1)
# A blind transfer (REFER, RFC 3515) first: it frees the box of the call's audio. Refused,
# the call is joined through the box. Attended transfer (REFER with Replaces, RFC 3891)
# would come first, but baresip 1.0 cannot do it.
HAND_OVER_ORDER: Final = (ConnectMethod.DEFLECT, ConnectMethod.CONFERENCE)
# With the calls' sound through the box the caller is answered and hears the queue (place,
# music, menu) as on a modem; a blind transfer is made before answering, so it goes second.
HAND_OVER_ORDER_WITH_SOUND: Final = (ConnectMethod.CONFERENCE, ConnectMethod.DEFLECT)


def _same_uri(dialled: str, reported: str) -> bool:
    """True when baresip's peer URI is the one dialled (letter case aside, cf. RFC 3261 §19.1.4)."""
    return dialled.strip("<>").lower() == reported.strip("<>").lower()


class VoipLine:
    """One SIP account, as the call flow drives it."""

    def __init__(self, settings: VoipSettings, bus: EventBus, clock: Clock, *,
                 prompts: Mapping[str, PromptFile] | None = None,
                 knowledge: ConnectKnowledge | None = None) -> None:
        self.settings = settings
        self.bus = bus
        self.clock = clock
        self.audio = dict(prompts or {})
        self.prompts = {p: f.path for p in Prompt if (f := self.audio.get(p.value)) is not None}
        # baresip 1.0 has no attended transfer: ECT is known refused from the start.
        self.knowledge = (knowledge or ConnectKnowledge()).after(ConnectMethod.ECT, False)
        self.control: BaresipControl | None = None
        self.registration = "down"  # down / not registering / registering / registered / failed
        self.last_error = ""
        self._calls: dict[str, SipCall] = {}
        self._by_sip: dict[str, SipCall] = {}
        self._transfers: dict[str, asyncio.Future[bool]] = {}
        self._music: dict[str, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()
        self._ended: dict[str, None] = {}  # SIP ids of calls over, oldest first
        self.status_hook: Callable[[], None] | None = None  # told of every registration change
        self.registration_failed = asyncio.Event()  # the supervisor restarts baresip on it
        # call_sound = "box": the media engine and the JACK server (set by the supervisor)
        self.engine: MediaEngine | None = None
        self.jack_server: str | None = None
        self._sounds: dict[str, CallAudio] = {}
        self._sound_lock = asyncio.Lock()
        self._closing: set[asyncio.Future[None]] = set()

    @property
    def name(self) -> str:
        """The line's name (voip0...)."""
        return self.settings.name

    @property
    def is_up(self) -> bool:
        """True while baresip runs and its account is usable."""
        return (self.control is not None and self.control.is_open
                and self.registration in ("registered", "not registering"))

    @property
    def plays_prompts(self) -> bool:
        return bool(self.prompts)

    @property
    def has_audio(self) -> bool:
        """True when the calls' sound goes through the box (call_sound = "box")."""
        return self.engine is not None and self.settings.call_sound == "box"

    @property
    def capabilities(self) -> LineCapabilities:
        """A trunk: many calls, several phones rung at once; no SMS.

        With the calls' sound through the box, the box speaks, plays music,
        hears keys in-band and records messages, as on a modem's voice port.
        """
        audio = self.has_audio
        return LineCapabilities(rings_parallel=True, dials_sip=True,
                                plays_prompts=audio or self.plays_prompts,
                                records_voicemail=audio, has_audio=audio, sends_sms=False,
                                hold_keeps_sound=audio,
                                hand_over=HAND_OVER_ORDER_WITH_SOUND if audio
                                else HAND_OVER_ORDER)

    @property
    def is_idle(self) -> bool:
        """True when no call is on the line."""
        return not self._calls

    @property
    def calls(self) -> tuple[SipCall, ...]:
        """The live calls, oldest first."""
        return tuple(self._calls.values())

    def get(self, call_id: str) -> SipCall | None:
        return self._calls.get(call_id)

    def owns(self, call_id: str) -> bool:
        return call_id in self._calls

    def is_waiting(self, call_id: str) -> bool:
        return False  # a SIP trunk carries several calls: nobody waits for the line

    def is_busy_besides(self, call_id: str) -> bool:
        return False

    def learn(self, method: ConnectMethod, ok: bool) -> None:
        self.knowledge = self.knowledge.after(method, ok)

    def restore(self, knowledge: ConnectKnowledge) -> None:
        """Take back what the line learned before a restart (still no attended transfer)."""
        self.knowledge = knowledge.after(ConnectMethod.ECT, False)

    # --- baresip attached and lost ------------------------------------------------------

    def attach(self, control: BaresipControl) -> None:
        """baresip runs and its control answers: the line is usable (once registered)."""
        self.control = control
        if self.registration == "down":  # else an event before attach already told how it went
            self.registration = "registering" if self.settings.registrar else "not registering"
            self.last_error = ""
            self.registration_failed.clear()
        self._status()

    async def register(self) -> None:
        """Add the account that registers (`uanew`): its REGISTER results arrive as events."""
        if self.control is None or not self.settings.registrar:
            return
        reply = _ANSI_COLOUR.sub("", await self.control.command(
            "uanew", account_line(self.settings, self.settings.password)))
        if "(0)" in reply:
            self._registration("REGISTER_FAIL", "baresip refused the account settings")

    def lose(self, reason: str) -> None:
        """baresip is gone: every live call ends as interrupted, the line is down."""
        self.control = None
        self.registration = "down"
        self.last_error = reason
        for call in list(self._calls.values()):
            call.planned_outcome = "interrupted"  # even a transfer under way was not confirmed
            self._end(call)
        for future in self._transfers.values():
            if not future.done():
                future.set_result(False)
        self._transfers.clear()
        self._status()

    def _status(self) -> None:
        detail = self.registration + (f": {self.last_error}" if self.last_error else "")
        self.bus.publish(LineStatus(at=self.clock.now(), line=self.name,
                                    registered=self.is_up, detail=detail))
        if self.status_hook is not None:
            self.status_hook()

    # --- baresip events -----------------------------------------------------------------

    def on_event(self, event: dict[str, Any]) -> None:
        """Translate one baresip event (src/event.c names) into the line's state and events."""
        kind = str(event.get("type", ""))
        if kind.startswith("REGISTER_") or kind == "UNREGISTERING":
            self._registration(kind, str(event.get("param", "")))
            return
        sip_id = event.get("id")
        if not sip_id:
            return  # a dial's first SDP event comes before its Call-ID exists
        call = self._find(str(sip_id), event)
        if call is None:
            return
        if kind in ("CALL_RINGING", "CALL_PROGRESS") and not call.incoming:
            self._set_state(call, "alerting")
        elif kind == "CALL_ESTABLISHED":
            if call.answered_at is None:
                call.answered_at = self.clock.now()
            self._set_state(call, "active")
        elif kind == "CALL_CLOSED":
            call.close_reason = str(event.get("param", ""))
            future = self._transfers.pop(call.call_id, None)
            if future is not None and not future.done():
                future.set_result(call.planned_outcome == _TRANSFERRED)
            self._end(call)
        elif kind == "TRANSFER_FAILED":
            self._transfer_refused(call, str(event.get("param", "")))
        elif kind == "CALL_DTMF_START":
            self._key(call, str(event.get("param", ""))[:1])
        elif kind == "CALL_DTMF_END":
            sound = self._sounds.get(call.call_id)
            if sound is not None:
                self._to_sound(sound.line_key_ended)
        self._wake()

    def _key(self, call: SipCall, digit: str) -> None:
        """An RFC 4733 key: to the call's sound through the box, which also hears keys in-band
        and counts a key sent both ways once (media/key_merge.py); else onto the bus."""
        if not digit:
            return
        sound = self._sounds.get(call.call_id)
        if sound is not None:
            self._to_sound(lambda: sound.line_key(digit))
            return
        self.bus.publish(DtmfReceived(at=self.clock.now(), call_id=call.call_id,
                                      line=self.name, digit=digit))

    def _to_sound(self, command: Callable[[], None]) -> None:
        from appliance.media.media_channel import ChannelBusy  # loaded with the call's sound

        try:
            command()
        except ChannelBusy as error:  # the audio thread is stuck: its port health ends the call
            log.warning("%s: a key was lost: %s", self.name, error)

    def _registration(self, kind: str, param: str) -> None:
        if kind == "REGISTER_OK":
            self.registration, self.last_error = "registered", ""
        elif kind == "REGISTER_FAIL":
            self.registration, self.last_error = "failed", param or "registration refused"
            log.warning("%s: registration failed: %s", self.name, self.last_error)
            self.registration_failed.set()
        else:
            return
        self._status()

    def _find(self, sip_id: str, event: dict[str, Any]) -> SipCall | None:
        call = self._by_sip.get(sip_id)
        if call is not None:
            return call
        if sip_id in self._ended:
            return None  # a late event of a call already over (e.g. after a refused transfer)
        peer = str(event.get("peeruri", ""))
        if event.get("direction") == "incoming":
            return self._offer(sip_id, peer)
        # an outgoing call: the dial that asked for this URI. Others (baresip obeying a REFER
        # from the far end) are not the box's legs and are left alone.
        call = next((c for c in self._calls.values() if not c.incoming and c.sip_id is None
                     and _same_uri(c.peer_uri, peer)), None)
        if call is not None:
            call.sip_id = sip_id
            self._by_sip[sip_id] = call
        return call

    def _offer(self, sip_id: str, peer: str) -> SipCall:
        number, status = caller_number(peer)
        call = SipCall(incoming=True, peer_uri=peer, started_at=self.clock.now(),
                       state="incoming", sip_id=sip_id, number=number, number_status=status)
        self._calls[call.call_id] = call
        self._by_sip[sip_id] = call
        self.bus.publish(CallOffered(at=call.started_at, call_id=call.call_id, line=self.name,
                                     number=number, number_status=status))
        self._publish_state(call)
        return call

    def _set_state(self, call: SipCall, state: str) -> None:
        if call.state != state:
            call.state = state
            self._publish_state(call)

    def _publish_state(self, call: SipCall) -> None:
        self.bus.publish(CallStateChanged(
            at=self.clock.now(), call_id=call.call_id, line=self.name, state=call.state,
            direction="in" if call.incoming else "out", number=call.number))

    def _end(self, call: SipCall) -> None:
        if self._calls.pop(call.call_id, None) is None:
            return
        if call.sip_id is not None:
            self._by_sip.pop(call.sip_id, None)
            self._ended[call.sip_id] = None
            while len(self._ended) > _ENDED_REMEMBERED:
                del self._ended[next(iter(self._ended))]
        music = self._music.pop(call.call_id, None)
        if music is not None:
            music.cancel()
        sound = self._sounds.pop(call.call_id, None)
        if sound is not None and self.engine is not None:  # the exchange did not close it
            self._closing.add(task := asyncio.ensure_future(self.engine.close(sound.name)))
            task.add_done_callback(self._closing.discard)
        now = self.clock.now()
        answered = call.answered_at
        wait = ((answered or now) - call.started_at).total_seconds()
        talk = (now - answered).total_seconds() if answered else 0.0
        call.state = "ended"
        self._publish_state(call)
        self.bus.publish(CallEnded(at=now, call_id=call.call_id, outcome=call.outcome(),
                                   wait_seconds=max(wait, 0.0), talk_seconds=max(talk, 0.0)))

    def _transfer_refused(self, call: SipCall, reason: str) -> None:
        log.info("%s: far end refused the transfer: %s", self.name, reason)
        future = self._transfers.pop(call.call_id, None)
        if future is not None and not future.done():
            future.set_result(False)
        # baresip 1.0's menu hangs up a call whose REFER was refused, without a CALL_CLOSED:
        # the caller is gone, and the flow must make it a callback.
        call.planned_outcome = "interrupted"
        call.close_reason = f"transfer refused: {reason}"
        self._end(call)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, done: Callable[[], bool], timeout_s: float) -> bool:
        try:
            async with asyncio.timeout(timeout_s):
                while not done():
                    await self._changed.wait()
        except TimeoutError:
            return done()
        return True

    # --- commands -----------------------------------------------------------------------

    def _live(self, call_id: str) -> SipCall:
        call = self._calls.get(call_id)
        if call is None:
            raise UnknownCall(call_id)
        return call

    async def _on_call(self, call: SipCall, command: str, params: str = "") -> str:
        control = self.control
        if control is None:
            raise ControlLost(self.last_error or "baresip is not running")
        if call.sip_id is None:
            raise UnknownCall(f"{call.call_id} has no SIP dialog yet")
        return await control.command(command, params, call=call.sip_id)

    def sip_target(self, target: str) -> str:
        """A ring-group member as a SIP URI: URIs stay, numbers go through the provider."""
        if target.startswith(("sip:", "sips:")):
            return target
        return f"sip:{target}@{self.settings.domain}"

    async def answer(self, call_id: str) -> None:
        """Wait until the caller is answered (baresip answers at once: answermode=auto)."""
        call = self._live(call_id)
        if not await self._wait_until(lambda: call.answered_at is not None
                                      or call.call_id not in self._calls, ANSWER_TIMEOUT_S):
            raise VoipError(f"{self.name}: call {call_id} was not answered")
        if call.call_id not in self._calls:
            raise UnknownCall(call_id)

    async def dial(self, target: str) -> str:
        """Call an agent's phone; the leg's id (its events follow on the bus)."""
        control = self._control()
        call = self._new_leg(target)
        try:
            await control.command("dial", call.peer_uri)
        except VoipError:
            call.planned_outcome = "failed"
            self._end(call)
            raise
        return call.call_id

    async def ring_parallel(self, targets: Sequence[str]) -> tuple[str, ...]:
        """Ring several phones at once (ring all); the legs' ids in the same order.

        Every leg exists before the first INVITE goes out; one that baresip
        cannot dial ends at once (CallEnded "failed") while the others ring.
        """
        control = self._control()
        calls = [self._new_leg(target) for target in targets]
        for call in calls:
            try:
                await control.command("dial", call.peer_uri)
            except VoipError as error:
                log.warning("%s: dialling %s failed: %s", self.name, call.peer_uri, error)
                call.planned_outcome = "failed"
                self._end(call)
        return tuple(call.call_id for call in calls)

    def _control(self) -> BaresipControl:
        if self.control is None:
            raise ControlLost(self.last_error or "baresip is not running")
        return self.control

    def _new_leg(self, target: str) -> SipCall:
        call = SipCall(incoming=False, peer_uri=self.sip_target(target),
                       started_at=self.clock.now(), state="dialing", number=target)
        self._calls[call.call_id] = call
        self._publish_state(call)
        return call

    async def hang_up_leg(self, leg_id: str) -> None:
        call = self._calls.get(leg_id)
        if call is not None:
            await self._hang_up(call)

    async def hang_up(self, call_id: str, leg_id: str | None = None) -> None:
        """End the caller's call and its agent leg."""
        for own in (leg_id, call_id):
            call = self._calls.get(own) if own is not None else None
            if call is not None:
                await self._hang_up(call)

    async def _hang_up(self, call: SipCall) -> None:
        if call.sip_id is None:  # dialled, no answer from the far end yet: wait briefly for one
            await self._wait_until(lambda: call.sip_id is not None, ANSWER_TIMEOUT_S)
        with contextlib.suppress(UnknownCall):  # it ended meanwhile; its CALL_CLOSED tells
            await self._on_call(call, "hangup")

    async def reject(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is not None:
            call.planned_outcome = "rejected"
            await self._hang_up(call)

    async def hold(self, call_id: str) -> None:
        """The caller waits while agents are rung: music from the box, no SIP hold.

        A trunk needs no re-INVITE to free itself for the agent's leg (each
        call is its own dialog), and many callers' equipment handles one badly.
        """
        self._live(call_id)
        self.start_music(call_id)

    async def resume(self, call_id: str) -> None:
        """The waiting caller is back with the box (music stops; an announcement may follow)."""
        self._live(call_id)
        await self.stop_music(call_id)

    async def transfer(self, call_id: str, target: str) -> bool:
        """Blind transfer (REFER, RFC 3515); False when the far end refused it."""
        call = self._live(call_id)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._transfers[call.call_id] = future
        call.planned_outcome = _TRANSFERRED
        try:
            await self._on_call(call, "transfer", self.sip_target(target))
            async with asyncio.timeout(TRANSFER_TIMEOUT_S):
                return await future
        except (VoipError, TimeoutError) as error:
            log.warning("%s: transfer of %s failed: %s", self.name, call_id, error)
            if call.call_id in self._calls:
                call.planned_outcome = None
            return False
        finally:
            self._transfers.pop(call.call_id, None)

    async def bridge(self, call_id: str, leg_id: str) -> bool:
        """Join the caller and the agent's leg through the box (aubridge); the box stays in."""
        caller, agent = self._live(call_id), self._live(leg_id)
        n = next(_bridges)
        caller_voice, agent_voice = f"aubridge,aspa-{n}-c", f"aubridge,aspa-{n}-a"
        try:
            # a bridge's source must exist before a player names it, so sources first
            for call, command, device in ((caller, "ausrc", agent_voice),
                                          (agent, "ausrc", caller_voice),
                                          (caller, "auplay", caller_voice),
                                          (agent, "auplay", agent_voice)):
                await self._switch(call, command, device)
        except VoipError as error:
            log.warning("%s: joining %s and %s failed: %s", self.name, call_id, leg_id, error)
            return False
        return True

    async def _switch(self, call: SipCall, command: str, device: str) -> None:
        """Switch a call's audio source or player; baresip says "failed" in its reply text."""
        reply = await self._on_call(call, command, device)
        if "failed" in reply:
            raise CommandFailed(f"{command} {device}: {reply.strip()}")

    async def hand_over(self, method: ConnectMethod, call_id: str, leg_id: str) -> bool:
        """Join the caller to the agent who answered; False when the method is not available."""
        if method is ConnectMethod.CONFERENCE:
            await self.stop_music(call_id)  # the bridge takes over the caller's audio source
            return await self.bridge(call_id, leg_id)
        return False  # ECT would be an attended transfer (REFER with Replaces): not in baresip 1.0

    async def deflect(self, call_id: str, target: str) -> bool:
        """Send the caller on to the agent (blind REFER); the box loses sight of the call.

        REFER travels inside the dialog (RFC 3515 §2.4.1), so the caller is
        answered first (baresip answers at once; this waits for it).
        """
        await self.answer(call_id)
        await self.stop_music(call_id)
        return await self.transfer(call_id, target)

    async def play(self, call_id: str, prompt: Prompt | str) -> None:
        """Play an announcement to the caller and wait until it has played."""
        name = prompt.value if isinstance(prompt, Prompt) else prompt
        if name != HOLD_MUSIC:
            await self.stop_music(call_id)
        audio = self.audio.get(name)
        if audio is None:
            return
        call = self._live(call_id)
        await self._switch(call, "ausrc", f"aufile,{audio.path}")
        try:
            await asyncio.sleep(audio.seconds)  # the sound's own length: it plays in real time
        finally:
            if call.call_id in self._calls:
                with contextlib.suppress(VoipError):
                    await self._on_call(call, "ausrc", QUIET_SOURCE)

    def start_music(self, call_id: str) -> None:
        """Play hold music to the caller, over and over, until stop_music or the call ends."""
        if HOLD_MUSIC not in self.audio or call_id in self._music:
            return
        self._live(call_id)

        async def loop() -> None:
            while call_id in self._calls:
                await self.play(call_id, HOLD_MUSIC)

        self._music[call_id] = asyncio.get_running_loop().create_task(loop(), name="hold-music")

    async def stop_music(self, call_id: str) -> None:
        task = self._music.pop(call_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, VoipError):
                await task

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        raise VoipError(f"{self.name}: a SIP line sends no SMS; another line must")

    async def open_audio(self, call_id: str) -> CallAudio | None:
        """Carry the answered call's sound through the box (call_sound = "box"), else None.

        baresip's source and player of this call are switched to its jack module;
        the box's own JACK client is joined to the two ports that appear.
        """
        if not self.has_audio or self.engine is None or self.jack_server is None:
            return None
        await self.close_audio(call_id)
        call = self._live(call_id)
        async with self._sound_lock:  # the new ports are told apart by appearing: one at a time
            sound = await call_sound_through_jack(self, call, self.engine, self.jack_server)
        self._sounds[call_id] = sound
        return sound

    async def close_audio(self, call_id: str) -> None:
        """Stop the call's audio thread and give baresip's silence back to the call."""
        sound = self._sounds.pop(call_id, None)
        if sound is None or self.engine is None:
            return
        await self.engine.close(sound.name)
        call = self._calls.get(call_id)
        if call is not None:
            with contextlib.suppress(VoipError):
                await self._switch(call, "ausrc", QUIET_SOURCE)
                await self._switch(call, "auplay", DISCARD_PLAYER)

    async def switch_audio(self, call: SipCall, command: str, device: str) -> None:
        """Switch one call's audio source (`ausrc`) or player (`auplay`) to `device`."""
        await self._switch(call, command, device)

    async def put_prompt(self, prompt: Prompt, data: bytes) -> None:
        raise VoipError(f"{self.name}: announcements of a SIP line are files on the box")
