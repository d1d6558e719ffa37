"""Give the memory a burst of work used back to the system once the burst is over.

A backlog of mail (or any burst of events) leaves CPython's and SQLite's freed
blocks in the C library's heap, which glibc keeps mapped: after a 10,000-mail
backlog the daemon stayed ~25 MB above its idle size (bench/memory.py).
`malloc_trim(3)` hands the free pages of every arena back. It is glibc's; where
the C library has no such call (musl, macOS) this does nothing. Before it, the
store's connection gives back its page cache (`release`), which a burst filled.

The burst is over when the events published in one look have fallen to half
of its busiest look. It need not have stopped: in a backlog's wake the
SLA rounds go on publishing, and a slow subscriber (the notices) works through
its queue for minutes; waiting for silence and empty queues, the trim came too
late, or never; at a quarter, the SLA rounds' ~350 events a look after a
10,000-mail backlog (~1,400 a look) were as often just over it as under (bench/memory.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
from collections.abc import Awaitable, Callable

from appliance.spine.bus import EventBus

log = logging.getLogger("aspa.runtime.heap")

LOOK_EVERY_S = 2.0  # how often to look whether a burst has ended (a cheap look)
BURST_EVENTS = 1_000  # events since the last trim that make a burst worth trimming after
CALM_SHARE = 0.5  # a look with at most this share of the burst's busiest look: it is over

Trim = Callable[[], bool]
Sleep = Callable[[float], Awaitable[None]]
Release = Callable[[], Awaitable[None]]


def glibc_trim() -> Trim | None:
    """The C library's malloc_trim(0) as a call, or None where there is none."""
    # The symbols already loaded into this process (dlopen(NULL)), which hold the C library's:
    # not ctypes.util.find_library, which runs `ldconfig -p` (a process forked at every start,
    # 3-170 ms of READY on a busy machine).
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int

    def call() -> bool:
        return bool(trim(0))

    return call


class HeapTrimmer:
    """Trims the heap when a burst of at least BURST_EVENTS events has calmed down."""

    def __init__(self, bus: EventBus, trim: Trim | None, *, look_every_s: float = LOOK_EVERY_S,
                 burst_events: int = BURST_EVENTS, sleep: Sleep = asyncio.sleep,
                 release: Release | None = None) -> None:
        self._bus = bus
        self._trim = trim
        self._release = release
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
        busiest = 0  # events in the busiest look since the last trim
        while True:
            await self._sleep(self._look_every_s)
            now = self._bus.published
            in_look = now - seen
            seen = now
            busiest = max(busiest, in_look)
            calm = in_look <= busiest * CALM_SHARE
            if calm and now - self._trimmed_at >= self._burst_events:
                if self._release is not None:
                    try:
                        await self._release()
                    except Exception:  # the trim itself is still worth doing
                        log.exception("releasing the store's cache after a burst failed")
                self.trim_now()
                busiest = 0

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
