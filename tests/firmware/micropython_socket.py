"""The `usocket` stand-in for umqtt.simple under CPython: MicroPython's stream read/write on a
real TCP socket (docs.micropython.org, library/socket and the stream protocol)."""

from __future__ import annotations

import socket as _socket
from typing import Any


class StreamSocket:
    """A CPython socket with MicroPython's stream methods."""

    def __init__(self) -> None:
        self._sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        self._blocking = True

    def connect(self, address: Any) -> None:
        self._sock.connect(address)

    def write(self, data: bytes | bytearray | str, length: int | None = None) -> int:
        """Write all of `data` (its first `length` bytes when given); MicroPython's streams
        take a str as its UTF-8 bytes, and umqtt.simple relies on it for the client id."""
        raw = data.encode() if isinstance(data, str) else data
        view = memoryview(raw)[:length] if length is not None else memoryview(raw)
        self._sock.sendall(view)
        return len(view)

    def read(self, size: int) -> bytes | None:
        """Blocking: `size` bytes, fewer only at end of stream. Non-blocking: None if nothing
        has arrived."""
        if not self._blocking:
            try:
                return self._sock.recv(size)
            except BlockingIOError:
                return None
        data = b""
        while len(data) < size:
            chunk = self._sock.recv(size - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def setblocking(self, flag: bool) -> None:
        self._blocking = flag
        self._sock.setblocking(flag)

    def close(self) -> None:
        self._sock.close()


def socket() -> StreamSocket:
    """usocket.socket(): a TCP socket."""
    return StreamSocket()


def getaddrinfo(host: str, port: int) -> list[Any]:
    """usocket.getaddrinfo(): IPv4 stream addresses, as the Pico W has."""
    return _socket.getaddrinfo(host, port, _socket.AF_INET, _socket.SOCK_STREAM)
