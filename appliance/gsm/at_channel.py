"""The AT command channel: one reader task, one pending command, a table of URC handlers.

Every line from the modem is either part of the pending command's response
(its information lines and final result, V.250 §5.7) or an unsolicited result
code (URC) dispatched through a table of (pattern, handler). A URC that
arrives in the middle of a response is still a URC, unless it is exactly the
information line the pending command asked for (`+CLCC:` while `AT+CLCC` runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import serial

from .errors import (
    ChannelClosed,
    CommandFailed,
    CommandTimeout,
    DeviceBusy,
    SimBusy,
    error_for_result,
)
from .lines import PROMPT, LineSplitter, Prompt

log = logging.getLogger("aspa.gsm.at")

DEFAULT_TIMEOUT_S = 5.0
BUSY_BACKOFF_S: tuple[float, ...] = (0.5, 1.0, 2.0)  # CME 14 / 515 retries, then give up
READ_CHUNK = 4096

# V.250 §5.7.1 final result codes that end every command; call results end only dial/answer.
_FINALS = ("OK", "ERROR")
_ERROR_PREFIXES = ("+CME ERROR:", "+CMS ERROR:")
# TS 27.007 §9.1: every module answers this query with a line of its own, SIM or not.
SYNC_QUERY = "AT+CMEE?"
DATA_FLUSH_LIMIT_S = 30.0  # a prompt file at 115200 baud: 11 KB/s
SYNC_PREFIX = "+CMEE:"
CALL_RESULTS = frozenset({"CONNECT", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE"})

UrcHandler = Callable[[str, str | None], None]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Response:
    """A command's information lines and its final result."""

    command: str
    lines: tuple[str, ...]
    final: str

    def values(self, prefix: str) -> list[str]:
        """The text after `prefix` on every line that starts with it."""
        n = len(prefix)
        return [line[n:].strip() for line in self.lines if line.startswith(prefix)]

    def value(self, prefix: str) -> str | None:
        """The first line's text after `prefix`, or None."""
        found = self.values(prefix)
        return found[0] if found else None


@dataclass(slots=True)
class _Urc:
    pattern: re.Pattern[str]
    handler: UrcHandler
    with_next_line: bool


@dataclass(slots=True)
class _Pending:
    command: str
    prefixes: tuple[str, ...]
    call_result: bool
    future: asyncio.Future[Response]
    echoes: set[str]
    prompt: asyncio.Future[None] | None = None
    connect_is_prompt: bool = False  # AT+QFUPL: CONNECT asks for the data
    lines: list[str] = field(default_factory=list)
    answer_required: bool = False  # an OK before the prefixed line is another command's


def _is_printable(line: str) -> bool:
    return "\ufffd" not in line and all(ch >= " " or ch == "\t" for ch in line)


class AtChannel:
    """Talks AT to one modem over a reader/writer pair (serial port or pty)."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        name: str = "modem",
        default_timeout: float = DEFAULT_TIMEOUT_S,
        busy_backoff: Sequence[float] = BUSY_BACKOFF_S,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._reader = reader
        self._writer = writer
        self._splitter = LineSplitter()
        self._urcs: list[_Urc] = []
        self._pending: _Pending | None = None
        self._urc_head: tuple[_Urc, str] | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._close_callbacks: list[Callable[[str], None]] = []
        self.default_timeout = default_timeout
        self.busy_backoff = tuple(busy_backoff)
        self._sleep = sleep
        self._monotonic = monotonic
        self.closed = asyncio.Event()
        self.close_reason = ""
        self.lines_seen = 0
        self.garbage_lines = 0
        self.last_rx = monotonic()
        self.raw_log: list[str] | None = None  # set to a list to keep a transcript

    # --- set-up ---------------------------------------------------------------

    def on(self, pattern: str, handler: UrcHandler, *, with_next_line: bool = False) -> None:
        """Route unsolicited lines matching `pattern` (a regex, anchored at the start)."""
        self._urcs.append(_Urc(re.compile(pattern), handler, with_next_line))

    def on_close(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` once when the port goes away."""
        self._close_callbacks.append(callback)

    def start(self) -> None:
        """Start the reader task on the running loop."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._read_loop(), name=f"at-reader:{self.name}")

    async def close(self, reason: str = "closed") -> None:
        """Stop reading and close the port."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self._mark_closed(reason)
        # the port's lock is released only when the transport has really closed; a file
        # still going out (see _exchange) is flushed first
        limit = DATA_FLUSH_LIMIT_S if self._unsent() else 1.0
        with contextlib.suppress(Exception):
            self._writer.close()
            async with asyncio.timeout(limit):
                await self._writer.wait_closed()

    def _unsent(self) -> int:
        """Bytes still in the port's write buffer."""
        try:
            return int(self._writer.transport.get_write_buffer_size())
        except (AttributeError, NotImplementedError):
            return 0

    @property
    def is_open(self) -> bool:
        return not self.closed.is_set()

    # --- commands -------------------------------------------------------------

    async def command(
        self,
        command: str,
        *,
        prefix: str | tuple[str, ...] = (),
        time_limit: float | None = None,
        call_result: bool = False,
        retry_busy: bool = True,
        answer_required: bool = False,
    ) -> Response:
        """Send one command, wait for its final result; raise the named error on failure.

        `prefix` names the information lines this command answers with (they are
        the command's even if the same text is also a URC). `call_result` makes
        CONNECT/NO CARRIER/BUSY/NO ANSWER/NO DIALTONE final (ATD, ATA).
        SIM busy (CME 14) and device busy (CME 515) are retried with a backoff.
        With `answer_required`, an OK that comes before a `prefix` line is taken as
        a stray result of something earlier and passed over (see cancel_input).
        """
        prefixes = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        attempt = 0
        while True:
            try:
                return await self._exchange(command, prefixes, time_limit, call_result, None,
                                            answer_required=answer_required)
            except (SimBusy, DeviceBusy):
                if not retry_busy or attempt >= len(self.busy_backoff):
                    raise
                await self._sleep(self.busy_backoff[attempt])
                attempt += 1

    async def command_with_body(
        self, command: str, body: str, *, prefix: str | tuple[str, ...] = (),
        time_limit: float | None = None,
    ) -> Response:
        """Send a command that wants a body after the `> ` prompt (AT+CMGS); end it with Ctrl-Z."""
        prefixes = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return await self._exchange(command, prefixes, time_limit, False, body)

    async def send_data(self, command: str, data: bytes, *, connect: bool = False,
                        prefix: str | tuple[str, ...] = (),
                        time_limit: float | None = None) -> Response:
        """Send a command that takes raw bytes once the modem asks (a file upload).

        The modem asks with the `>` prompt (AT+FSWRITE, AT+CFTRANRX) or, with
        `connect`, with a CONNECT line (AT+QFUPL); the bytes go as they are,
        with no Ctrl-Z, and the command ends with its usual final result.
        """
        prefixes = (prefix,) if isinstance(prefix, str) else tuple(prefix)
        return await self._exchange(command, prefixes, time_limit, False, data, connect)

    async def _exchange(self, command: str, prefixes: tuple[str, ...],
                        time_limit: float | None, call_result: bool,
                        body: str | bytes | None, connect: bool = False, *,
                        answer_required: bool = False) -> Response:
        if self.closed.is_set():
            raise ChannelClosed(f"{self.name}: port closed ({self.close_reason})")
        limit = self.default_timeout if time_limit is None else time_limit
        async with self._lock:
            loop = asyncio.get_running_loop()
            pending = _Pending(command, prefixes, call_result, loop.create_future(),
                               {command.upper()}, answer_required=answer_required)
            if body is not None:
                pending.prompt = loop.create_future()
                if isinstance(body, str):
                    pending.echoes.add(body.upper())
                pending.connect_is_prompt = connect
                self._splitter.expect_prompt = not connect
                self._splitter.bare_prompt = isinstance(body, bytes)
            self._pending = pending
            data_owed = False  # a file's bytes the modem counts on and has not had in full
            try:
                async with asyncio.timeout(limit):
                    await self._write(command + "\r")
                    data_owed = isinstance(body, bytes)
                    if pending.prompt is not None and body is not None:
                        await asyncio.wait(
                            (pending.prompt, pending.future), return_when=asyncio.FIRST_COMPLETED)
                        if pending.prompt.done():
                            if isinstance(body, bytes):
                                await self._write_bytes(body)
                                data_owed = False
                            else:
                                await self._write(body + "\x1a")
                    return await pending.future
            except asyncio.CancelledError:
                if data_owed and isinstance(body, bytes) and pending.future.done() is False:
                    # Stopped mid-upload (a restart): the module counts the announced bytes
                    # and takes everything until then as the file's, the next start's
                    # commands too. AT+CFTRANRX takes no timeout (SIM7600 manual), so the
                    # bytes go out before the port closes: the file is whole, the module
                    # back in command mode.
                    await asyncio.shield(self._finish_data(body))
                raise
            except TimeoutError:
                if body is not None:
                    # an open prompt swallows every later command (chan_dongle BUGS); ESC frees it
                    with contextlib.suppress(Exception):
                        await self._write("\x1b")
                raise CommandTimeout(command, limit) from None
            finally:
                if pending.future.done() and not pending.future.cancelled():
                    pending.future.exception()  # a write failure already said it; mark it read
                self._pending = None
                self._splitter.expect_prompt = False
                self._splitter.bare_prompt = False

    async def _finish_data(self, body: bytes) -> None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DATA_FLUSH_LIMIT_S):
                await self._write_bytes(body)

    async def cancel_input(self) -> None:
        """Send ESC: ends an SMS text input a killed process left open (TS 27.005 §3.5.1).

        A modem in command mode drops it with everything before "AT" (ITU-T V.250 §5.2.1);
        one in the prompt answers OK. Whether that OK comes is unknown, and taken by the next
        command it would shift every answer by one (the SIM state read from another
        command's reply). So a query whose answer has a line of its own follows, and an OK
        before that line is passed over: after it, every result is the command's it ends.
        """
        await self._write("\x1b")
        with contextlib.suppress(CommandFailed):
            await self.command(SYNC_QUERY, prefix=SYNC_PREFIX, answer_required=True)

    async def _write(self, text: str) -> None:
        await self._write_bytes(text.encode("utf-8"), text)

    async def _write_bytes(self, data: bytes, shown: str | None = None) -> None:
        if self.raw_log is not None:
            self.raw_log.append(f">> {shown!r}" if shown is not None else f">> {len(data)} bytes")
        try:
            self._writer.write(data)
            await self._writer.drain()
        except (OSError, serial.SerialException, RuntimeError) as error:
            self._mark_closed(f"write failed: {error}")
            raise ChannelClosed(f"{self.name}: {error}") from error

    # --- reading --------------------------------------------------------------

    async def _read_loop(self) -> None:
        reason = "end of file"
        try:
            while True:
                data = await self._reader.read(READ_CHUNK)
                if not data:
                    break
                self.feed(data)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the port vanished: serial reports it as an exception
            reason = str(error) or type(error).__name__
        self._mark_closed(reason)

    def feed(self, data: bytes) -> None:
        """Handle bytes read from the port (public so the reader loop and tests share it)."""
        self.last_rx = self._monotonic()
        if self.raw_log is not None:
            self.raw_log.append(f"<< {data!r}")
        for item in self._splitter.feed(data):
            if isinstance(item, Prompt):
                self._on_prompt()
            else:
                self.lines_seen += 1
                try:
                    self._on_line(item)
                except Exception:  # a faulty handler must not stop the reader
                    log.exception("%s: handling %r failed", self.name, item)

    def _on_prompt(self) -> None:
        pending = self._pending
        if pending is not None and pending.prompt is not None and not pending.prompt.done():
            pending.prompt.set_result(None)

    def _on_line(self, line: str) -> None:
        line = line.lstrip("\x1b")  # the echo of cancel_input()'s ESC, glued to the next line
        if not line:
            return
        if self._urc_head is not None:
            urc, head = self._urc_head
            self._urc_head = None
            urc.handler(head, line)
            return
        pending = self._pending
        if pending is not None:
            if line.upper() in pending.echoes:
                return
            if (line == "CONNECT" and pending.connect_is_prompt and pending.prompt is not None
                    and not pending.prompt.done()):
                pending.prompt.set_result(None)
                return
            if self._finish(pending, line):
                return
            if pending.prefixes and line.startswith(pending.prefixes):
                pending.lines.append(line)
                return
        for urc in self._urcs:
            if urc.pattern.match(line):
                if urc.with_next_line:
                    self._urc_head = (urc, line)
                else:
                    urc.handler(line, None)
                return
        if pending is not None:
            pending.lines.append(line)
            if not _is_printable(line):
                self.garbage_lines += 1
            return
        if line in _FINALS or line.upper().startswith("AT"):
            return  # a late result or echo of a command that already timed out
        self.garbage_lines += 1
        log.debug("%s: unexpected line %r", self.name, line)

    def _finish(self, pending: _Pending, line: str) -> bool:
        """Complete the pending command if `line` is its final result."""
        if line == "OK" and pending.answer_required and not any(
                answered.startswith(pending.prefixes) for answered in pending.lines):
            pending.lines.clear()
            return True  # a stray OK: this command's answer is still to come
        if line == "OK":
            result: Response | Exception = Response(pending.command, tuple(pending.lines), line)
        elif line == "ERROR" or line.startswith(_ERROR_PREFIXES):
            result = error_for_result(pending.command, line)
        elif pending.call_result and line in CALL_RESULTS:
            if line == "CONNECT":
                result = Response(pending.command, tuple(pending.lines), line)
            else:
                result = error_for_result(pending.command, line)
        else:
            return False
        if not pending.future.done():
            if isinstance(result, Exception):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)
        self._pending = None
        return True

    def _mark_closed(self, reason: str) -> None:
        if self.closed.is_set():
            return
        self.close_reason = reason
        self.closed.set()
        pending = self._pending
        if pending is not None and not pending.future.done():
            pending.future.set_exception(ChannelClosed(f"{self.name}: {reason}"))
        for callback in self._close_callbacks:
            try:
                callback(reason)
            except Exception:
                log.exception("%s: close callback failed", self.name)


__all__ = ["CALL_RESULTS", "PROMPT", "AtChannel", "Response"]
