"""The one place that opens the modem's port: a real serial device or any pty path.

The simulator's pseudo-terminal is just another path, so the driver runs the
same code against both (the gpiozero pin-factory idea: one seam, two backends).
"""

from __future__ import annotations

import asyncio
import os

import serial
import serial_asyncio_fast

from .errors import ChannelClosed

DEFAULT_BAUD = 115_200


async def open_port(path: str, baudrate: int = DEFAULT_BAUD) -> tuple[
        asyncio.StreamReader, asyncio.StreamWriter]:
    """Open the port at `path` (following symlinks each time, so a replugged modem is found)."""
    real = os.path.realpath(path)  # noqa: ASYNC240 - a symlink lookup, no disk wait
    if not os.path.exists(real):  # noqa: ASYNC240
        raise ChannelClosed(f"modem port {path} does not exist (unplugged?)")
    try:
        return await serial_asyncio_fast.open_serial_connection(
            url=real, baudrate=baudrate, exclusive=True)
    except (OSError, serial.SerialException) as error:
        raise ChannelClosed(f"cannot open modem port {path}: {error}") from error
