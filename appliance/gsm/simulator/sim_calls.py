"""Calls in the simulated modem: RING/+CLIP, ATA/ATH/ATD, +CLCC, +CHLD, +CTFR, +CCWA.

3GPP TS 27.007 §6.11 (+CRC), §7.6 (+CLIP), §7.12 (+CCWA), §7.13 (+CHLD),
§7.14 (+CTFR), §7.18 (+CLCC); V.250 §6.3 (A, H, D). Models override the hooks
(`ring_lines`, `on_state`, `remote_end_urcs`, ...) to print their own URCs.
"""

from __future__ import annotations

import asyncio
import time

from .sim_call import ACTIVE, ALERTING, DIALING, HELD, INCOMING, RELEASED, WAITING, SimCall
from .sim_core import CME_OPERATION_NOT_ALLOWED, Handler, SimCore, split_args


class CallCommands(SimCore):
    """The call side of a simulated modem, and the call scenarios."""

    def call_commands(self) -> dict[str, Handler]:
        """Command table entries for calls."""
        return {"+CLIP": self._clip, "+CRC": self._crc, "+CLCC": self._clcc, "+CCWA": self._ccwa,
                "A": self._answer, "H": self._hangup, "+CHUP": self._hangup, "D": self._dial,
                "+CHLD": self._chld, "+CTFR": self._ctfr}

    # --- scenario -------------------------------------------------------------

    async def incoming_call(self, number: str | None = "+358401234567", *, withheld: bool = False,
                            name: str = "") -> int:
        """A call arrives; `number=None` means the network gave none (unavailable)."""
        validity = 1 if withheld else (2 if number is None else 0)
        busy = any(c.stat in (ACTIVE, HELD) for c in self.calls)
        call = SimCall(self._free_index(), True, WAITING if busy else INCOMING,
                       number or "", validity, name=name)
        self.calls.append(call)
        self.on_state(call)
        if busy:
            if self.ccwa:
                self.urc(self.ccwa_line(call))
        else:
            self._ring(call.index)
        return call.index

    async def remote_answers(self, index: int | None = None) -> None:
        """The called party answers a dialled call."""
        call = self._find(index, (DIALING, ALERTING))
        call.stat = ACTIVE
        call.connected_at = time.monotonic()
        self.on_state(call)
        self.on_connected(call)

    async def remote_hangs_up(self, index: int | None = None) -> None:
        """The other party clears the call (a ringing caller gives up, or a talk ends)."""
        call = self._find(index, None)
        self._end(call, self.remote_end_urcs(call))

    async def remote_busy(self, index: int | None = None) -> None:
        """The dialled party is busy."""
        self._end(self._find(index, (DIALING, ALERTING)), ["BUSY"])

    async def remote_no_answer(self, index: int | None = None) -> None:
        """The dialled party does not answer."""
        self._end(self._find(index, (DIALING, ALERTING)), ["NO ANSWER"])

    async def press_dtmf(self, digit: str) -> None:
        """The caller presses a key (heard only when DTMF detection is on)."""
        if self.dtmf_detect:
            line = self.dtmf_line(digit)
            if line:
                self.urc(line)

    def call(self, index: int) -> SimCall | None:
        """The call with this +CLCC index, if any."""
        return next((c for c in self.calls if c.index == index), None)

    # --- model hooks (override per model) -------------------------------------

    def ring_lines(self, call: SimCall) -> list[str]:
        """What one ring of an incoming call prints (TS 27.007 §6.11, §7.6)."""
        lines = ["+CRING: VOICE" if self.crc else "RING"]
        if self.clip:
            lines.append(self.clip_line(call))
        return lines

    def clip_line(self, call: SimCall) -> str:
        """+CLIP: <number>,<type>,<subaddr>,<satype>,<alpha>,<CLI validity>."""
        return f'+CLIP: "{call.shown_number}",{call.number_type},,,,{call.validity}'

    def ccwa_line(self, call: SimCall) -> str:
        """+CCWA: <number>,<type>,<class>[,<alpha>][,<CLI validity>] (TS 27.007 §7.12)."""
        name = f',"{call.name}"' if call.name else ","
        return f'+CCWA: "{call.shown_number}",{call.number_type},1{name},{call.validity}'

    def clcc_line(self, call: SimCall) -> str:
        """One +CLCC line (TS 27.007 §7.18)."""
        return "+CLCC: " + call.clcc_fields()

    def on_state(self, call: SimCall) -> None:
        """A call changed state: models with call-state URCs print them here."""
        if self.clcc_urc and self.supports_clcc_urc:
            self.urc(self.clcc_line(call))

    def on_connected(self, call: SimCall) -> None:
        """A call became active."""

    def remote_end_urcs(self, call: SimCall) -> list[str]:
        """What the modem prints when the other side clears a call."""
        return ["NO CARRIER"] if call.stat in (ACTIVE, HELD, DIALING, ALERTING) else []

    def local_end_urcs(self, call: SimCall) -> list[str]:
        """What the modem prints after ATH/AT+CHUP/AT+CHLD ends a call."""
        return []

    def dtmf_line(self, digit: str) -> str | None:
        """The DTMF URC for a key, or None when the model cannot detect DTMF."""
        return None

    # --- command handlers -------------------------------------------------------

    def _clip(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f"+CLIP: {int(self.clip)},1", "OK"]
        self.clip = arg[1:].strip() == "1"
        return ["OK"]

    def _crc(self, arg: str) -> list[str]:
        self.crc = arg[1:].strip() == "1"
        return ["OK"]

    def _ccwa(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return [f"+CCWA: {int(self.ccwa)}", "OK"]
        self.ccwa = split_args(arg[1:])[0] == "1"
        return ["OK"]

    def _clcc(self, arg: str) -> list[str]:
        if arg.startswith("="):
            if not self.supports_clcc_urc:
                return ["ERROR"]
            self.clcc_urc = arg[1:].strip() == "1"
            return ["OK"]
        return [*(self.clcc_line(c) for c in self.calls), "OK"]

    def _answer(self, arg: str) -> list[str]:
        call = next((c for c in self.calls if c.stat == INCOMING), None)
        if call is None:
            return ["NO CARRIER"]
        self._stop_ring(call.index)
        call.stat = ACTIVE
        call.connected_at = time.monotonic()
        self.later(0, lambda: self._report_connected(call))
        return ["OK"]

    def _hangup(self, arg: str) -> list[str]:
        for call in list(self.calls):
            if call.stat != WAITING:
                self._end(call, self.local_end_urcs(call), later=True)
        return ["OK"]

    def _dial(self, arg: str) -> list[str]:
        number = arg.strip().rstrip(";").strip()
        if self.reg_stat not in (1, 5):
            return ["NO CARRIER"]
        if not number or any(ch not in "+0123456789*#" for ch in number):
            return ["+CME ERROR: 27"]
        for call in self.calls:
            if call.stat == ACTIVE:
                call.stat = HELD
        call = SimCall(self._free_index(), False, DIALING, number)
        self.calls.append(call)
        self.later(0, lambda: self.on_state(call))

        def alerting() -> None:
            if call in self.calls and call.stat == DIALING:
                call.stat = ALERTING
                self.on_state(call)

        self.later(0.02, alerting)
        return ["OK"]

    def _chld(self, arg: str) -> list[str]:
        if arg.startswith("=?"):
            return ["+CHLD: (0,1,1x,2,2x,3,4)", "OK"]
        op = arg[1:].strip()
        held = [c for c in self.calls if c.stat == HELD]
        active = [c for c in self.calls if c.stat == ACTIVE]
        waiting = [c for c in self.calls if c.stat in (WAITING, INCOMING)]
        if op == "0":
            for call in held or waiting:
                self._end(call, [], later=True)
        elif op == "1":
            for call in active:
                self._end(call, self.local_end_urcs(call), later=True)
            self._activate((waiting or held)[:1])
        elif op.startswith("1") and op[1:].isdigit():
            chosen = self.call(int(op[1:]))
            if chosen is None:
                return [CME_OPERATION_NOT_ALLOWED]
            self._end(chosen, self.local_end_urcs(chosen), later=True)
        elif op == "2":
            if "hold" in self.network_rejects:
                return [CME_OPERATION_NOT_ALLOWED]
            for call in active:
                call.stat = HELD
                self.on_state(call)
            self._activate((waiting or held)[:1])
        elif op == "3":
            if "conference" in self.network_rejects or not held or not active:
                return [CME_OPERATION_NOT_ALLOWED]
            for call in held + active:
                call.stat, call.mpty = ACTIVE, True
                self.on_state(call)
        elif op == "4":
            others = [c for c in self.calls if c.stat in (ACTIVE, ALERTING)]
            if "ect" in self.network_rejects or not held or not others:
                return [CME_OPERATION_NOT_ALLOWED]
            # TS 23.091: the two calls are joined and this subscriber drops out.
            for call in held + others:
                self._end(call, [], later=True)
        else:
            return [CME_OPERATION_NOT_ALLOWED]
        return ["OK"]

    def _report_connected(self, call: SimCall) -> None:
        self.on_state(call)
        self.on_connected(call)

    def _activate(self, calls: list[SimCall]) -> None:
        for call in calls:
            self._stop_ring(call.index)
            call.stat = ACTIVE
            call.connected_at = call.connected_at or time.monotonic()
            self.later(0, lambda c=call: self._report_connected(c))  # type: ignore[misc]

    def _ctfr(self, arg: str) -> list[str]:
        call = next((c for c in self.calls if c.stat in (INCOMING, WAITING)), None)
        if call is None or "deflect" in self.network_rejects:
            return [CME_OPERATION_NOT_ALLOWED]
        self._end(call, [], later=True)
        return ["OK"]

    # --- bookkeeping --------------------------------------------------------------

    def _free_index(self) -> int:
        used = {c.index for c in self.calls}
        index = 1
        while index in used:
            index += 1
        return index

    def _find(self, index: int | None, states: tuple[int, ...] | None) -> SimCall:
        for call in self.calls:
            if (index is None or call.index == index) and (states is None or call.stat in states):
                return call
        raise LookupError(f"no such call (index {index}, states {states})")

    def _ring(self, index: int) -> None:
        call = self.call(index)
        if call is None or call.stat != INCOMING:
            self._ring_handles.pop(index, None)
            return
        self.link.write("".join(f"\r\n{line}\r\n" for line in self.ring_lines(call)).encode())
        if self.ring_interval is not None:
            loop = asyncio.get_running_loop()
            self._ring_handles[index] = loop.call_later(self.ring_interval, self._ring, index)

    def _stop_ring(self, index: int) -> None:
        handle = self._ring_handles.pop(index, None)
        if handle is not None:
            handle.cancel()

    def _end(self, call: SimCall, urcs: list[str], later: bool = False) -> None:
        if call not in self.calls:
            return
        self._stop_ring(call.index)
        self.calls.remove(call)
        self._call_ended.set()
        call.stat = RELEASED

        def report() -> None:
            for line in urcs:
                self.urc(line)
            self.on_state(call)

        if later:
            self.later(0, report)  # after the command's own OK, as modems print it
        else:
            report()
