"""SIGTERM and SIGINT become one asyncio event the daemon waits on."""

from __future__ import annotations

import asyncio
import logging
import signal

log = logging.getLogger("aspa.shutdown")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ShutdownRequest:
    """Set once by a stop signal (or by code, e.g. the demo's timer)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.reason = ""
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Route SIGTERM/SIGINT to this request on the running loop."""
        self._loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            self._loop.add_signal_handler(sig, self.request, sig.name)

    def uninstall(self) -> None:
        if self._loop is not None:
            for sig in STOP_SIGNALS:
                self._loop.remove_signal_handler(sig)
            self._loop = None

    def request(self, reason: str) -> None:
        """Ask for a clean stop; a second request only logs."""
        if self._event.is_set():
            log.info("%s while already stopping", reason)
            return
        self.reason = reason
        log.info("stopping: %s", reason)
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> str:
        """Wait for the stop request; returns its reason."""
        await self._event.wait()
        return self.reason
