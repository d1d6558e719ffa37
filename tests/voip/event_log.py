"""Every event a test's bus carried, and waiting (with a timeout) for the one a test expects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from appliance.spine.bus import EventBus
from appliance.spine.events import Event

E = TypeVar("E", bound=Event)
WAIT_S = 10.0


class EventLog:
    """Subscribes to a bus and keeps what it saw."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()
        bus.subscribe("test-log", self._seen)

    def _seen(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[E], where: Callable[[E], bool] = lambda e: True) -> list[E]:
        return [e for e in self.events if isinstance(e, kind) and where(e)]

    async def wait_for(self, kind: type[E], where: Callable[[E], bool] = lambda e: True,
                       timeout_s: float = WAIT_S) -> E:
        """The first event of `kind` matching `where`, waiting for it if need be."""
        async with asyncio.timeout(timeout_s):
            while True:
                found = self.of(kind, where)
                if found:
                    return found[0]
                self._changed.clear()
                await self._changed.wait()
