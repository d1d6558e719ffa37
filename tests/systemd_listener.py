"""A stand-in for systemd's side of the notify protocol: a real AF_UNIX datagram socket."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from pathlib import Path


class NotifyListener:
    """Receives what a service sends to $NOTIFY_SOCKET, each datagram with its arrival time."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        wire = b"\0" + address[1:].encode() if address.startswith("@") else address
        self.sock.bind(wire)
        self.sock.setblocking(False)
        self.received: list[tuple[float, dict[str, str]]] = []

    @classmethod
    def in_dir(cls, directory: Path) -> NotifyListener:
        return cls(str(directory / "notify.sock"))

    @classmethod
    def abstract(cls) -> NotifyListener:
        return cls(f"@aspa-test-{os.getpid()}-{time.monotonic_ns()}")

    async def next(self, within: float = 10.0) -> dict[str, str]:
        """The next datagram as VAR=value pairs."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(within):
            data = await loop.sock_recv(self.sock, 4096)
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        self.received.append((time.monotonic(), fields))
        return fields

    async def wait_for(self, key: str, within: float = 10.0) -> dict[str, str]:
        """Skip datagrams until one sets `key`."""
        async with asyncio.timeout(within):
            while True:
                fields = await self.next(within)
                if key in fields:
                    return fields

    def close(self) -> None:
        self.sock.close()
        if not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)
