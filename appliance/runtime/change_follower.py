"""The daemon's side of the change feed: what other processes did, published on its bus.

Polled twice a second (a cheap indexed read), so a command's change reaches the
queue, the live pages, MQTT and the LEDs within a second; at start it also catches
up with what was written while the daemon was stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from appliance.spine.bus import EventBus
from appliance.spine.event_codec import UnknownEvent, event_from_payload
from appliance.store.change_feed import mark_seen, unseen_changes
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.runtime.changes")

POLL_S = 0.5
Sleep = Callable[[float], Awaitable[None]]


class ChangeFollower:
    """Reads the change feed behind the store and republishes its events."""

    def __init__(self, store: StoreWorker, bus: EventBus, *, poll_s: float = POLL_S,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._store = store
        self._bus = bus
        self._poll_s = poll_s
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._reading = asyncio.Lock()  # one reader at a time: each entry is published once
        self.published = 0
        self.unreadable = 0

    async def catch_up(self) -> int:
        """Publish every entry written so far; how many were published."""
        async with self._reading:
            return await self._read_all()

    async def _read_all(self) -> int:
        done = 0
        while True:
            entries = await self._store.call(unseen_changes)
            if not entries:
                return done
            for entry_id, payload in entries:
                try:
                    event = event_from_payload(payload)
                except UnknownEvent as error:
                    self.unreadable += 1
                    log.warning("change feed entry %d skipped: %s", entry_id, error)
                    continue
                self._bus.publish(event)
                done += 1
                self.published += 1
            await self._store.call(mark_seen, entries[-1][0])

    def start(self) -> None:
        """Keep following the feed in the background."""
        self._task = asyncio.create_task(self._follow(), name="change-feed")

    async def _follow(self) -> None:
        while True:
            try:
                await self.catch_up()
            except Exception:  # the store may be busy or briefly away: try again next time
                log.exception("reading the change feed failed")
            await self._sleep(self._poll_s)

    async def stop(self) -> None:
        """Stop following (what is left is read at the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
