"""baresip's ctrl_tcp control connection: commands with replies, and the event stream.

ctrl_tcp takes one client; Aspa is that client. Each command carries a
token that baresip echoes in its reply. Commands that act on one call are
sent together with `callfind <id>` in a single write: baresip handles a
read buffer in one go, so no SIP event can change the "current call"
between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
from collections.abc import Callable
from typing import Any, Final

from appliance.voip.errors import CommandFailed, ControlLost, UnknownCall
from appliance.voip.netstring import NetstringReader, encode

log = logging.getLogger("aspa.voip.control")

COMMAND_TIMEOUT_S: Final = 5.0
_READ_BYTES: Final = 65536
_CURRENT_CALL_SET: Final = "setting current call"

EventHandler = Callable[[dict[str, Any]], None]


class BaresipControl:
    """One ctrl_tcp connection: send commands, hand every event to `on_event`."""

    def __init__(self, on_event: EventHandler, *, timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        self.on_event = on_event
        self.timeout_s = timeout_s
        self.lost = asyncio.Event()  # set once the connection is gone, for whatever reason
        self.lost_reason = ""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tokens = itertools.count(1)
        self._lock = asyncio.Lock()

    async def connect(self, host: str, port: int) -> None:
        """Open the connection and start reading; OSError when nothing listens."""
        self._reader, self._writer = await asyncio.open_connection(host, port)
        self._quick_ack()
        self._task = asyncio.get_running_loop().create_task(self._read(), name="baresip-control")

    @property
    def is_open(self) -> bool:
        return self._writer is not None and not self.lost.is_set()

    async def command(self, name: str, params: str = "", *, call: str | None = None) -> str:
        """Run one command (on one call when `call` is its baresip id); return baresip's text."""
        if self._writer is None or self.lost.is_set():
            raise ControlLost(self.lost_reason or "baresip control is not connected")
        async with self._lock:
            frames: list[bytes] = []
            waits: list[asyncio.Future[dict[str, Any]]] = []
            if call is not None:
                frames.append(self._frame("callfind", call, waits))
            frames.append(self._frame(name, params, waits))
            self._writer.write(b"".join(frames))
            try:
                async with asyncio.timeout(self.timeout_s):
                    replies = [await wait for wait in waits]
            except TimeoutError as error:
                raise CommandFailed(f"baresip did not answer {name!r} in {self.timeout_s} s") \
                    from error
        if call is not None and not str(replies[0].get("data", "")).startswith(_CURRENT_CALL_SET):
            raise UnknownCall(call)
        reply = replies[-1]
        if not reply.get("ok", False):
            raise CommandFailed(f"{name}: {reply.get('data', '')}".strip())
        return str(reply.get("data", ""))

    def _frame(self, name: str, params: str, waits: list[asyncio.Future[dict[str, Any]]]) -> bytes:
        token = f"a{next(self._tokens)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[token] = future
        waits.append(future)
        return encode({"command": name, "params": params, "token": token})

    async def _read(self) -> None:
        assert self._reader is not None
        splitter = NetstringReader()
        reason = "baresip closed the control connection"
        try:
            while True:
                data = await self._reader.read(_READ_BYTES)
                if not data:
                    break
                self._quick_ack()
                for message in splitter.feed(data):
                    self._dispatch(message)
        except (OSError, ValueError) as error:  # ProtocolError is a ValueError
            reason = f"baresip control failed: {error}"
        finally:
            self._close(reason)

    def _quick_ack(self) -> None:
        """Acknowledge baresip's segments at once (TCP_QUICKACK, tcp(7); Linux resets it).

        baresip writes each event and reply as its own small segment with Nagle's
        algorithm on; with our delayed ACK (40 ms) the next one would wait for it.
        """
        sock = self._writer.get_extra_info("socket") if self._writer is not None else None
        if sock is not None and hasattr(socket, "TCP_QUICKACK"):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("response"):
            future = self._pending.pop(str(message.get("token", "")), None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if message.get("event"):
            try:
                self.on_event(message)
            except Exception:  # one bad event must not cut the line
                log.exception("handling baresip event %s failed", message.get("type"))

    def _close(self, reason: str) -> None:
        if self.lost.is_set():
            return
        self.lost_reason = reason
        self.lost.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ControlLost(reason))
        self._pending.clear()
        if self._writer is not None:
            self._writer.close()

    async def close(self) -> None:
        """Close the connection and stop reading."""
        self._close("closed by Aspa")
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._writer is not None:
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
