"""Give the memory a burst of work used back to the system once the burst is over.

A backlog of mail (or any burst of events) leaves CPython's and SQLite's freed
blocks in the C library's heap, which glibc keeps mapped: after a 10,000-mail
backlog the daemon stayed ~25 MB above its idle size (bench/memory.py).
`malloc_trim(3)` hands the free pages of every arena back. It is glibc's; where
the C library has no such call (musl, macOS) this does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging
from collections.abc import Awaitable, Callable

from appliance.spine.bus import EventBus

log = logging.getLogger("aspa.runtime.heap")

LOOK_EVERY_S = 2.0  # how often to look whether a burst has ended (a cheap look)
BURST_EVENTS = 1_000  # events since the last trim that make a burst worth trimming after

Trim = Callable[[], bool]
Sleep = Callable[[float], Awaitable[None]]


def glibc_trim() -> Trim | None:
    """The C library's malloc_trim(0) as a call, or None where there is none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> bool:
        return bool(trim(0))

    return call


class HeapTrimmer:
    """Trims the heap when the bus has gone quiet after at least BURST_EVENTS events."""

    def __init__(self, bus: EventBus, trim: Trim | None, *, look_every_s: float = LOOK_EVERY_S,
                 burst_events: int = BURST_EVENTS, sleep: Sleep = asyncio.sleep) -> None:
        self._bus = bus
        self._trim = trim
        self._look_every_s = look_every_s
        self._burst_events = burst_events
        self._sleep = sleep
        self._trimmed_at = bus.published
        self.trims = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Keep looking in the background (nothing to do without a trim call)."""
        if self._trim is not None:
            self._task = asyncio.create_task(self._watch(), name="heap-trim")

    async def _watch(self) -> None:
        seen = self._bus.published
        while True:
            await self._sleep(self._look_every_s)
            now = self._bus.published
            quiet = now == seen and self._drained()
            if quiet and now - self._trimmed_at >= self._burst_events:
                self.trim_now()
            seen = now

    def _drained(self) -> bool:
        return all(sub.queue.empty() for sub in self._bus.subscriptions)

    def trim_now(self) -> None:
        """Hand the free heap back now."""
        if self._trim is None:
            return
        self._trimmed_at = self._bus.published
        self.trims += 1
        released = self._trim()
        log.debug("heap trimmed after a burst of events (memory released: %s)", released)

    async def stop(self) -> None:
        """Stop looking."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
