"""Pending tickets come back to the queue when their time comes: the switchboard is asked
every `CHECK_EVERY_S` seconds, so a ticket returns at most that late."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from appliance.runtime.timed_part import Sleep, TimedPart

log = logging.getLogger("aspa.pending")

CHECK_EVERY_S = 30.0


class PendingReturns(TimedPart):
    """The daemon's part that brings pending tickets back on time."""

    part_name = "pending"

    def __init__(self, return_due: Callable[[], Awaitable[list[int]]], *,
                 sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(CHECK_EVERY_S, log, sleep=sleep)
        self._return_due = return_due
        self.returned = 0

    def done_text(self) -> str:
        return f"{self.returned} pending tickets brought back"

    async def check_once(self) -> list[int]:
        """Bring back what is due now; the numbers brought back."""
        numbers = await self._return_due()
        self.returned += len(numbers)
        if numbers:
            log.info("pending tickets back in the queue: %s",
                     ", ".join(f"#{n}" for n in numbers))
        return numbers
