"""Pending tickets come back to the queue when their time comes: the switchboard is asked
every `CHECK_EVERY_S` seconds, so a ticket returns at most that late."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from appliance.ports.adapter import AdapterHealth

log = logging.getLogger("aspa.pending")

CHECK_EVERY_S = 30.0
Sleep = Callable[[float], Awaitable[None]]


class PendingReturns:
    """The daemon's part that brings pending tickets back on time."""

    def __init__(self, return_due: Callable[[], Awaitable[list[int]]], *,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._return_due = return_due
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.returned = 0
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        return "pending"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="pending-returns")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def health(self) -> AdapterHealth:
        if self.last_error is not None:
            return AdapterHealth(ok=False, detail=f"last check failed: {self.last_error}")
        return AdapterHealth(ok=True, detail=f"{self.returned} pending tickets brought back")

    async def check_once(self) -> list[int]:
        """Bring back what is due now; the numbers brought back."""
        numbers = await self._return_due()
        self.returned += len(numbers)
        if numbers:
            log.info("pending tickets back in the queue: %s",
                     ", ".join(f"#{n}" for n in numbers))
        return numbers

    async def _loop(self) -> None:
        while True:
            try:
                await self.check_once()
                self.last_error = None
            except Exception as error:  # the store may be busy; the next check tries again
                self.last_error = str(error) or type(error).__name__
                log.error("pending check failed: %s", self.last_error)
            await self._sleep(CHECK_EVERY_S)
