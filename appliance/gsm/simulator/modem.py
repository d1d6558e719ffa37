"""The simulated modem: a 3GPP TS 27.007 / 27.005 AT interpreter on a pty, with a scenario API.

Subclasses (one per real model) change what differs: identity strings, the
URCs around calls, DTMF and audio commands. Replies are keyed by command name
(`+CLCC`, `D`, `A`, ...), as in python-gsmmodem's fake modems. The scenario
methods (`incoming_call`, `remote_answers`, `unplug`, ...) run in the same
asyncio loop as the driver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from .pty_link import PtyLink
from .sim_call import ACTIVE, SimCall
from .sim_caller import SimulatedCaller
from .sim_calls import CallCommands
from .sim_core import CME_SIM_FAILURE, CME_SIM_PIN, CME_SIM_PUK, Handler, StoredSms, split_args
from .sim_files import FileCommands
from .sim_sms import SmsCommands
from .sim_standard import StandardCommands
from .sim_status import StatusCommands
from .voice_link import VoiceLink

CTRL_Z, ESC = 0x1A, 0x1B
DataHandler = Callable[[bytes], list[str]]  # a file's bytes -> info lines + final


class SimulatedModem(CallCommands, SmsCommands, StatusCommands, StandardCommands, FileCommands):
    """A generic 27.007 modem: RING, +CLIP, NO CARRIER; no vendor URCs (needs +CLCC polling)."""

    manufacturer = "Generic"
    model = "GM-1000"
    revision = "GM1000_V1.0"
    imei = "356938035643809"
    ati_lines: tuple[str, ...] = ("Generic GM-1000", "Revision: GM1000_V1.0")

    def __init__(self, link_dir: Path, name: str = "modem", *, ring_interval: float | None = 3.0,
                 prompt_seconds: float = 0.05) -> None:
        self.link = PtyLink(Path(link_dir) / name, self._on_bytes)
        self.caller = SimulatedCaller()
        self.caller.on_press = self._caller_pressed
        self.voice = VoiceLink(Path(link_dir) / f"{name}-voice", self.caller,
                               lambda: any(c.stat == ACTIVE for c in self.calls))
        self.files: dict[str, bytes] = {}  # the module's storage (uploaded prompts)
        self.played: list[str] = []  # file paths the play commands were given
        self._data_left = 0
        self._data_buf = bytearray()
        self._data_done: DataHandler | None = None
        self.ring_interval = ring_interval
        self.prompt_seconds = prompt_seconds
        self.received: list[str] = []
        self._command_seen = asyncio.Event()
        self._call_ended = asyncio.Event()
        self._inbuf = bytearray()
        self._sms_body: bytearray | None = None
        self._sms_target = ""
        self._ring_handles: dict[int, asyncio.TimerHandle] = {}
        self.calls: list[SimCall] = []
        self.sms: dict[int, StoredSms] = {}
        self.sent_sms: list[str] = []  # what AT+CMGS sent: the PDU hex or "number:text"
        self.deleted_sms: list[int] = []
        self.network_rejects: set[str] = set()  # "ect", "conference", "deflect", "hold"
        self.detects_dtmf = True  # False: a firmware without DTMF detection (ERROR to DDET)
        self.stalled = False
        self.failures: list[str] = []  # final results forced on the next commands
        self.reset_count = 0
        self.replug_count = 0
        self._next_mr = 1
        self._reset_settings()
        self.sim_pin: str | None = None
        self.cpin = "READY"
        self.pin_tries = 3
        self.sim_puk = "12345678"  # the PUK printed on the SIM's card
        self.puk_tries = 10
        self.reg_stat = 1
        self.operator = "Elisa"
        self.rssi = 20
        self.commands: dict[str, Handler] = self._command_table()

    def _reset_settings(self) -> None:
        """Power-on defaults (V.250: echo on)."""
        self.echo = True
        self.clip = False
        self.crc = False
        self.clcc_urc = False
        self.ccwa = False
        self.dtmf_detect = False
        self.creg_n = 0
        self.cereg_n = 0
        self.cmgf = 0
        self.cnmi_mt = 0
        self.cnmi_ds = 0

    # --- life cycle -----------------------------------------------------------

    @property
    def path(self) -> str:
        """The device path the driver opens (a symlink to the current pty)."""
        return str(self.link.link_path)

    @property
    def voice_path(self) -> str:
        """The voice port's device path (the real module's second USB serial port)."""
        return self.voice.path

    async def start(self) -> str:
        """Open the pty (and the voice port's); return the AT port's device path."""
        self.link.open()
        self.voice.open()
        return self.path

    async def stop(self) -> None:
        """Close the pty and cancel timers."""
        for handle in self._ring_handles.values():
            handle.cancel()
        self._ring_handles.clear()
        self.link.close()
        self.voice.close()

    # --- scenario: faults -------------------------------------------------------

    async def lose_network(self) -> None:
        """Coverage is lost: registration drops and calls are cleared."""
        await self.set_registration(2)
        for call in list(self.calls):
            self._end(call, self.remote_end_urcs(call))

    def _caller_pressed(self, digit: str) -> None:
        """The caller's key, as a module with DTMF detection on reports it (+RXDTMF, +DTMF)."""
        if self.dtmf_detect and any(c.stat == ACTIVE for c in self.calls):
            line = self.dtmf_line(digit)
            if line:
                self.urc(line)

    def fail_next(self, result: str, count: int = 1) -> None:
        """Answer the next `count` commands with `result` (e.g. `+CME ERROR: 515`)."""
        self.failures.extend([result] * count)

    async def send_garbage(self, data: bytes) -> None:
        """Write raw bytes (line noise, a crashed firmware's dump)."""
        self.link.write(data)

    async def wait_until_no_calls(self) -> None:
        """Until every call on the line has ended (by either side, or by an unplug)."""
        while self.calls:
            self._call_ended.clear()
            await self._call_ended.wait()

    def leave_in_sms_input(self, number: str = "+358401234567") -> None:
        """The last owner of the port was killed between AT+CMGS and Ctrl-Z: text input is open."""
        self._sms_target = number
        self._sms_body = bytearray()

    def stall(self, stalled: bool = True) -> None:
        """Stop answering commands (the firmware hangs) or resume."""
        self.stalled = stalled

    async def unplug(self) -> None:
        """The USB cable is pulled: the pty and its link vanish; calls drop."""
        for handle in self._ring_handles.values():
            handle.cancel()
        self._ring_handles.clear()
        self.calls.clear()
        self._call_ended.set()
        self.link.close()
        self.voice.close()

    async def replug(self) -> None:
        """The modem comes back at the same path, powered up afresh."""
        self._reset_settings()
        self._inbuf.clear()
        self._sms_body = None
        self.stalled = False
        self._data_left = 0
        self.link.open()
        self.voice.open()
        self.replug_count += 1

    # --- test support ---------------------------------------------------------

    async def wait_for_command(self, prefix: str, within: float = 3.0, start: int = 0) -> str:
        """Wait until the driver sends a command starting with `prefix`; return it."""
        async with asyncio.timeout(within):
            while True:
                for command in self.received[start:]:
                    if command.upper().startswith(prefix.upper()):
                        return command
                self._command_seen.clear()
                await self._command_seen.wait()

    # --- the interpreter --------------------------------------------------------

    def model_commands(self) -> dict[str, Handler]:
        """Vendor commands (audio, DTMF detection, URC configuration)."""
        return {}

    def expect_data(self, size: int, done: DataHandler) -> None:
        """The next `size` bytes are a file's data (after `>` or CONNECT), not commands."""
        self._data_left, self._data_buf, self._data_done = size, bytearray(), done

    def _on_bytes(self, data: bytes) -> None:
        if self._data_left:
            take = data[: self._data_left]
            self._data_buf += take
            self._data_left -= len(take)
            data = data[len(take):]
            if not self._data_left and self._data_done is not None:
                done, self._data_done = self._data_done, None
                self._reply(done(bytes(self._data_buf)))
            if not data:
                return
        if self.echo and not self.stalled:
            self.link.write(data)
        for position, byte in enumerate(data):
            if self._sms_body is not None:
                self._sms_byte(byte)
            elif byte == 0x0D:  # S3, V.250 §6.2.1
                line = self._inbuf.decode("utf-8", errors="replace").strip()
                self._inbuf.clear()
                if line:
                    self._command(line)
                if self._data_left:  # the command asked for data: the rest of the bytes are it
                    rest = data[position + 1:]
                    if rest:
                        self._on_bytes(rest)
                    return
            elif byte != 0x0A:
                self._inbuf.append(byte)

    def _sms_byte(self, byte: int) -> None:
        assert self._sms_body is not None
        if byte == CTRL_Z:
            body = self._sms_body.decode("utf-8", errors="replace")
            self._sms_body = None
            self._reply(self.send_sms(self._sms_target, body))
        elif byte == ESC:
            self._sms_body = None
            self._reply(["OK"])
        else:
            self._sms_body.append(byte)

    def _command(self, line: str) -> None:
        prefix = line.upper().find("AT")
        if prefix > 0:
            line = line[prefix:]  # characters before the "AT" prefix are ignored (V.250 §5.2.1)
        self.received.append(line)
        self._command_seen.set()
        if self.stalled:
            return
        if not line.upper().startswith("AT") or line.count('"') % 2:
            self._reply(["ERROR"])  # V.250 §5.4.2.2: a string constant must be closed
            return
        if self.failures and line.upper() != "AT":
            self._reply([self.failures.pop(0)])
            return
        body = line[2:]
        if not body:
            self._reply(["OK"])
            return
        if body[0] in "+^$#&":
            cut = len(body)
            for mark in "=?":
                found = body.find(mark)
                if found != -1:
                    cut = min(cut, found)
            name, arg = body[:cut].upper(), body[cut:]
        else:
            name, arg = body[0].upper(), body[1:]
            if name == "E" or name == "V" or name == "Z":
                arg = arg or "0"
        handler = self.commands.get(name)
        if handler is None:
            self._reply(["ERROR"])
            return
        if self.cpin != "READY" and name in _NEEDS_SIM:
            refusal = {"SIM PIN": CME_SIM_PIN, "SIM PUK": CME_SIM_PUK}.get(self.cpin,
                                                                         CME_SIM_FAILURE)
            self._reply([refusal])
            return
        try:
            result = handler(arg)
        except (ValueError, IndexError, LookupError):
            result = ["ERROR"]  # a parameter the module cannot read: ERROR, as real ones answer
        if result is not None:
            self._reply(result)

    def _command_table(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "E": self._echo, "V": lambda a: ["OK"], "Z": self._reset, "&F": self._reset,
            "I": lambda a: [*self.ati_lines, "OK"],
            "+CGMI": lambda a: [self.manufacturer, "OK"],
            "+CGMM": lambda a: [self.model, "OK"],
            "+CGMR": lambda a: [self.cgmr_line(), "OK"],
            "+CGSN": lambda a: [self.imei, "OK"],
            "+CMEE": lambda a: ["OK"],
            "+CFUN": self._cfun,
        }
        table.update(self.status_commands())
        table.update(self.call_commands())
        table.update(self.sms_commands())
        table.update(self.standard_commands())
        table.update(self.model_commands())
        return table

    def cgmr_line(self) -> str:
        return self.revision

    def _echo(self, arg: str) -> list[str]:
        self.echo = arg.strip() == "1"
        return ["OK"]

    def _reset(self, arg: str) -> list[str]:
        self._reset_settings()
        return ["OK"]

    def _cfun(self, arg: str) -> list[str]:
        if arg.startswith("?"):
            return ["+CFUN: 1", "OK"]
        if split_args(arg[1:])[-1] == "1" and "," in arg:
            # AT+CFUN=1,1: reboot; on USB the port re-enumerates (chan_dongle issue #62)
            self.reset_count += 1
            self.later(0.05, lambda: asyncio.ensure_future(self._reboot()))
        return ["OK"]

    async def _reboot(self) -> None:
        await self.unplug()
        await self.replug()


_NEEDS_SIM = frozenset({"+CLIP", "+CCWA", "+CMGF", "+CNMI", "+CMGR", "+CMGL", "+CMGS", "+CMGD",
                        "+COPS", "D", "+CPMS"})


__all__ = ["CTRL_Z", "ESC", "Handler", "SimCall", "SimulatedModem", "StoredSms", "split_args"]
