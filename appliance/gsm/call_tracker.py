"""Following calls: RING/+CLIP/+CCWA, +CLCC lists and vendor call-state URCs become call events.

Models differ in what they say (3GPP TS 27.007 §7.18 +CLCC; SIMCom VOICE CALL
and MISSED_CALL; Quectel +QIND "ccinfo"; ^DSCI); where they say nothing (a
ringing call abandoned on the SIM7600, any generic modem) +CLCC is polled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from appliance.config.sections.gsm_modems import ModemSettings
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import CallEnded, CallOffered, CallStateChanged, DtmfReceived

from .at_channel import AtChannel
from .calls import CLCC_STATES, RELEASED, Call, CallBook, CallState, sequence_mark
from .capabilities import Capabilities
from .errors import ModemError
from .models import GENERIC, ModelProfile
from .response_fields import (
    CallListEntry,
    after_colon,
    parse_ccwa,
    parse_clcc_fields,
    parse_clip,
    parse_dsci,
)

log = logging.getLogger("aspa.gsm.calls")

URC_POLL_FACTOR = 5  # models with call-state URCs are still polled, this many times less often
CALL_RESULT_OUTCOMES = {"BUSY": "busy", "NO ANSWER": "no_answer", "NO DIALTONE": "failed"}


class CallTracker:
    """The live calls of one line and the events about them."""

    def __init__(self, line: str, bus: EventBus, clock: Clock, settings: ModemSettings,
                 capabilities: Capabilities, channel: Callable[[], AtChannel]) -> None:
        self.line = line
        self.bus = bus
        self.clock = clock
        self.settings = settings
        self.capabilities = capabilities
        self._channel = channel
        self.book = CallBook()
        self.profile: ModelProfile = GENERIC
        self._tasks: set[asyncio.Task[Any]] = set()
        self._offer_timer: asyncio.TimerHandle | None = None

    def register(self, ch: AtChannel) -> None:
        """Route the call URCs of `ch` here."""
        ch.on(r"(RING$|\+CRING:)", self._on_ring)
        ch.on(r"\+CLIP:", self._on_clip)
        ch.on(r"\+CCWA:", self._on_ccwa)
        ch.on(r"\+CLCC:", self._on_call_entry_urc)
        ch.on(r'\+QIND: "ccinfo",', self._on_call_entry_urc)
        ch.on(r"\^DSCI:", self._on_call_entry_urc)
        ch.on(r"VOICE CALL: BEGIN", self._on_voice_begin)
        ch.on(r"VOICE CALL: END", self._on_voice_end)
        ch.on(r"MISSED_CALL:", self._on_missed_call)
        ch.on(r"(NO CARRIER|BUSY|NO ANSWER|NO DIALTONE)$", self._on_call_result)
        ch.on(r"(\+RXDTMF:|\+DTMF:|\+QTONEDET:)", self._on_dtmf)

    def stop(self, outcome: str = "interrupted") -> None:
        """The port is gone: cancel background work; live calls end with `outcome`."""
        if self._offer_timer is not None:
            self._offer_timer.cancel()
            self._offer_timer = None
        for task in list(self._tasks):
            task.cancel()
        for call in list(self.book):
            self.end(call, outcome)

    def get(self, call_id: str) -> Call:
        """The live call `call_id`, or a ModemError saying it has ended."""
        call = self.book.get(call_id)
        if call is None:
            raise ModemError(f"{self.line}: no call {call_id} (it has ended)")
        return call

    # --- incoming calls ------------------------------------------------------------

    def _on_ring(self, line: str, _next: str | None) -> None:
        if self.book.ringing() is not None:
            return  # a repeated RING of the call already known
        call = self.book.add(Call(self.line, True, CallState.INCOMING, self.clock.now()))
        self._await_caller_id(call)

    def _await_caller_id(self, call: Call) -> None:
        """Offer after +CLIP, or after a short wait and an +CLCC query (as ofono does)."""
        if self._offer_timer is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self.settings.clip_wait_seconds if self.capabilities.works("caller_id") else 0
        self._offer_timer = loop.call_later(wait, self._caller_id_wait_over, call)

    def _caller_id_wait_over(self, call: Call) -> None:
        self._offer_timer = None
        self.spawn(self._offer_after_poll(call))

    def _on_clip(self, line: str, _next: str | None) -> None:
        caller = parse_clip(line)
        call = self.book.ringing()
        if call is None:  # +CLIP before RING (some firmware): the call starts here
            call = self.book.add(Call(self.line, True, CallState.INCOMING, self.clock.now()))
        if not call.offered:
            call.number, call.number_status = caller.number, caller.status
            self._offer(call)

    def _on_ccwa(self, line: str, _next: str | None) -> None:
        caller = parse_ccwa(line)
        if self.book.in_state(CallState.WAITING):
            return
        call = self.book.add(Call(self.line, True, CallState.WAITING, self.clock.now(),
                                   caller.number, caller.status))
        self._offer(call)

    async def _offer_after_poll(self, call: Call) -> None:
        if call.offered or not call.is_live:
            return
        with contextlib.suppress(ModemError):
            await self.poll_calls()
        if call.is_live and not call.offered:
            if call.number is None and call.number_status == "valid":
                call.number_status = "unavailable"
            self._offer(call)

    def _offer(self, call: Call) -> None:
        call.offered = True
        if self._offer_timer is not None:
            self._offer_timer.cancel()
            self._offer_timer = None
        self.bus.publish(CallOffered(at=self.clock.now(), call_id=call.call_id, line=self.line,
                                     number=call.number, number_status=call.number_status))
        self.publish_state(call)

    # --- call state from URCs and polling ------------------------------------------------

    def _on_call_entry_urc(self, line: str, _next: str | None) -> None:
        text = after_colon(line)
        if line.startswith("^DSCI"):
            entry = parse_dsci(text)
        else:
            if line.startswith("+QIND"):
                text = text.split(",", 1)[1] if "," in text else ""
            entry = parse_clcc_fields(text)
        if entry is not None:
            self._reconcile([entry], None)

    async def poll_calls(self) -> None:
        """Ask AT+CLCC and bring the call book in line with the modem's list."""
        mark = sequence_mark()
        response = await self._channel().command("AT+CLCC", prefix="+CLCC:")
        entries = [parse_clcc_fields(v) for v in response.values("+CLCC:")]
        self._reconcile([e for e in entries if e is not None], mark)

    def _reconcile(self, entries: list[CallListEntry], mark: int | None) -> None:
        """Apply +CLCC entries; with `mark` (a full list) calls missing from it have ended."""
        seen: set[str] = set()
        for entry in entries:
            call = self.book.by_index(entry.index)
            if call is None and entry.stat != RELEASED:
                call = self.book.unindexed(entry.incoming)  # the index was not known yet
            if call is None:
                if entry.stat == RELEASED:
                    continue
                state = CLCC_STATES.get(entry.stat, CallState.ACTIVE)
                call = self.book.add(Call(
                    self.line, entry.incoming, state, self.clock.now(), entry.number,
                    "valid" if entry.number else "unavailable", entry.index))
                if entry.incoming and state in (CallState.INCOMING, CallState.WAITING):
                    if entry.number is None and self.capabilities.works("caller_id"):
                        self._await_caller_id(call)  # +CLIP tells withheld from unavailable
                    else:
                        self._offer(call)
                else:
                    self.publish_state(call)
            call.index = entry.index
            seen.add(call.call_id)
            if entry.stat == RELEASED:
                self.end(call)
                continue
            if call.number is None and entry.number and call.number_status == "valid":
                call.number = entry.number
            if call.incoming and not call.offered and entry.stat in (4, 5) and (
                    call.number is not None or self._offer_timer is None):
                self._offer(call)
            self.set_state(call, CLCC_STATES.get(entry.stat, call.state))
        if mark is None:
            return
        for call in self.book:
            if call.call_id not in seen and call.seq < mark:
                self.end(call)

    def _on_voice_begin(self, line: str, _next: str | None) -> None:
        dialled = self.book.in_state(CallState.DIALING, CallState.ALERTING)
        if len(dialled) == 1:
            self.set_state(dialled[0], CallState.ACTIVE)
        elif dialled:
            self.spawn(self.poll_calls())

    def _on_voice_end(self, line: str, _next: str | None) -> None:
        talking = self.book.in_state(CallState.ACTIVE, CallState.HELD)
        if len(self.book) == 1 and talking:
            self.end(talking[0])
        else:
            self.spawn(self.poll_calls())

    def _on_missed_call(self, line: str, _next: str | None) -> None:
        call = self.book.ringing()
        if call is not None:
            self.end(call, "missed")

    def _on_call_result(self, line: str, _next: str | None) -> None:
        outcome = CALL_RESULT_OUTCOMES.get(line)
        if outcome is not None:
            dialled = self.book.in_state(CallState.DIALING, CallState.ALERTING)
            if dialled:
                self.end(dialled[-1], outcome)
                return
        live = list(self.book)
        if len(live) == 1:
            self.end(live[0])
        elif live:
            self.spawn(self.poll_calls())

    def _on_dtmf(self, line: str, _next: str | None) -> None:
        value = after_colon(line)
        digit = chr(int(value)) if line.startswith("+QTONEDET") and value.isdigit() else value[:1]
        if not digit:
            return
        active = self.book.in_state(CallState.ACTIVE)
        self.bus.publish(DtmfReceived(at=self.clock.now(), line=self.line, digit=digit,
                                      call_id=active[0].call_id if active else None))

    def set_state(self, call: Call, state: CallState) -> None:
        if call.state is state or not call.is_live:
            return
        call.state = state
        if state is CallState.ACTIVE and call.answered_at is None:
            call.answered_at = self.clock.now()
        self.publish_state(call)

    def publish_state(self, call: Call) -> None:
        self.bus.publish(CallStateChanged(
            at=self.clock.now(), call_id=call.call_id, line=self.line, state=call.state.value,
            direction="in" if call.incoming else "out", number=call.number))

    def end(self, call: Call, fallback: str | None = None) -> None:
        if not call.is_live:
            return
        if call.incoming and not call.offered:
            self._offer(call)  # a call that rang too briefly still becomes a work item
        now = self.clock.now()
        call.state = CallState.ENDED
        self.book.remove(call)
        answered = call.answered_at
        wait = ((answered or now) - call.started_at).total_seconds()
        talk = (now - answered).total_seconds() if answered else 0.0
        self.publish_state(call)
        self.bus.publish(CallEnded(at=now, call_id=call.call_id, outcome=call.outcome(fallback),
                                   wait_seconds=max(wait, 0.0), talk_seconds=max(talk, 0.0)))

    async def poll_loop(self) -> None:
        """Poll +CLCC while calls exist: the only end-of-call signal on some models."""
        fast = self.profile.needs_clcc_polling
        interval = self.settings.clcc_poll_seconds * (1 if fast else URC_POLL_FACTOR)
        while True:
            await asyncio.sleep(interval)
            if len(self.book):
                try:
                    await self.poll_calls()
                except ModemError as error:
                    log.debug("%s: +CLCC poll failed: %s", self.line, error)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s: background step failed: %s", self.line, task.exception())
