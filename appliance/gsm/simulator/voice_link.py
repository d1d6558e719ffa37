"""The modem's voice port in the simulator: a second pty, as the real module has a second USB port.

While the voice path is on (SIM7600 `AT+CPCMREG=1`, EC25 `AT+QPCMV=1,0`) and
a call is active, it writes one raw s16le frame (320 bytes, 20 ms at 8 kHz)
of the caller's voice every 20 ms, on a schedule kept against the loop's
clock so it does not drift, and hands whatever the host writes to the
caller as what they hear. No headers, no framing bytes: the real ports
carry bare PCM.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from .pty_link import PtyLink
from .sim_caller import SimulatedCaller

FRAME_S = 0.02


class VoiceLink:
    """The voice pty of one simulated modem."""

    def __init__(self, link_path: Path, caller: SimulatedCaller,
                 call_active: Callable[[], bool]) -> None:
        self.caller = caller
        self.call_active = call_active
        self.link = PtyLink(link_path, self._from_host)
        self.streaming = False
        self._handle: asyncio.TimerHandle | None = None
        self._next_at = 0.0

    @property
    def path(self) -> str:
        return str(self.link.link_path)

    def open(self) -> None:
        self.link.open()

    def close(self) -> None:
        self.stop()
        self.link.close()

    def start(self) -> None:
        """Begin streaming the caller's frames."""
        if self.streaming:
            return
        self.streaming = True
        loop = asyncio.get_running_loop()
        self._next_at = loop.time()
        self._tick()

    def stop(self) -> None:
        self.streaming = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        if not self.streaming:
            return
        loop = asyncio.get_running_loop()
        if self.call_active():  # no call, no audio: the port stays quiet
            frame = self.caller.uplink_frame()
            if frame is not None:
                self.link.write(frame)
        self._next_at += FRAME_S
        now = loop.time()
        if self._next_at < now - 0.2:
            self._next_at = now  # the loop was stuck: resume, do not burst to catch up
        self._handle = loop.call_at(self._next_at, self._tick)

    def _from_host(self, data: bytes) -> None:
        if self.streaming and self.call_active():
            self.caller.downlink(data)
