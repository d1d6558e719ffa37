"""The far end of a socket pair, played by the test: it reads commands and writes bytes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence

from appliance.gsm.at_channel import AtChannel


class ModemEnd:
    """Raw bytes in and out of an AtChannel over a real socket pair."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.setblocking(False)
        self.received = bytearray()

    async def read_until(self, marker: bytes, within: float = 2.0) -> bytes:
        """Read until `marker` has arrived; return everything read so far."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(within):
            while marker not in self.received:
                self.received += await loop.sock_recv(self.sock, 4096)
        return bytes(self.received)

    async def send(self, data: bytes) -> None:
        await asyncio.get_running_loop().sock_sendall(self.sock, data)

    def close(self) -> None:
        self.sock.close()


async def channel_pair(*, busy_backoff: Sequence[float] = (1.0, 2.0, 4.0),
                       sleeps: list[float] | None = None,
                       default_timeout: float = 2.0) -> tuple[AtChannel, ModemEnd]:
    """An AtChannel whose port is one end of a socket pair; the test holds the other."""
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)

    async def record_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    channel = AtChannel(reader, writer, busy_backoff=busy_backoff, sleep=record_sleep,
                        default_timeout=default_timeout)
    channel.start()
    return channel, ModemEnd(theirs)
