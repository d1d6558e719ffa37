"""The simulator's end of a pseudo-terminal, published at a stable symlink path.

The driver opens the symlink like a udev `/dev/gsm-modem` link. Unplugging
closes the pty and removes the link; replugging opens a new pty and points
the same link at it, as udev does when a USB modem re-enumerates.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty
from collections.abc import Callable
from pathlib import Path


class PtyLink:
    """A raw-mode pty whose slave side is reachable at `link_path`."""

    def __init__(self, link_path: Path, on_bytes: Callable[[bytes], None]) -> None:
        self.link_path = link_path
        self._on_bytes = on_bytes
        self._master: int | None = None
        self._slave: int | None = None
        self._out = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.bytes_written = 0

    @property
    def is_open(self) -> bool:
        return self._master is not None

    @property
    def slave_name(self) -> str | None:
        return os.ttyname(self._slave) if self._slave is not None else None

    def open(self) -> None:
        """Create the pty and point the link at it."""
        if self._master is not None:
            return
        self._loop = asyncio.get_running_loop()
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation: bytes pass as a serial line would
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        tmp = self.link_path.with_name(self.link_path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.link_path)
        self._loop.add_reader(master, self._readable)

    def close(self) -> None:
        """Close the pty and remove the link, as if the USB cable were pulled."""
        master, slave = self._master, self._slave
        self._master = self._slave = None
        self._out.clear()
        if master is not None and self._loop is not None:
            self._loop.remove_reader(master)
            self._loop.remove_writer(master)
        with contextlib.suppress(FileNotFoundError):
            self.link_path.unlink()
        for fd in (master, slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def write(self, data: bytes) -> None:
        """Queue bytes for the driver; dropped when unplugged, as on a real cable."""
        if self._master is None:
            return
        self.bytes_written += len(data)
        if self._out:
            self._out += data
            return
        try:
            sent = os.write(self._master, data)
        except BlockingIOError:
            sent = 0
        except OSError:
            return
        if sent < len(data):
            self._out += data[sent:]
            assert self._loop is not None
            self._loop.add_writer(self._master, self._writable)

    def _writable(self) -> None:
        if self._master is None:
            return
        try:
            sent = os.write(self._master, self._out)
        except BlockingIOError:
            return
        except OSError:
            self._out.clear()
            sent = 0
        del self._out[:sent]
        if not self._out and self._loop is not None:
            self._loop.remove_writer(self._master)

    def _readable(self) -> None:
        if self._master is None:
            return
        try:
            data = os.read(self._master, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            self._on_bytes(data)
