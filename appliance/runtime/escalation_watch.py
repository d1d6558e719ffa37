"""The daemon's part that looks at the clock for the queue: work held for an account manager
goes to everyone when its time is up, SLA warnings and breaches are told and acted on, and
notices held for quiet hours go out; every `every_s` seconds, so each is at most that late."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from appliance.ports.adapter import AdapterHealth

log = logging.getLogger("aspa.escalation")

Sleep = Callable[[float], Awaitable[None]]
Check = Callable[[], Awaitable[object]]


class EscalationWatch:
    """Runs the switchboard's and the notifier's timed checks, one after another."""

    def __init__(self, checks: Sequence[Check], every_s: float, *,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._checks = tuple(checks)
        self._every_s = every_s
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self.rounds = 0
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        return "escalation"

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="escalation")

    async def stop_input(self) -> None:
        """No further rounds once the daemon stops: what a round publishes is work the
        stop would otherwise wait for."""
        await self.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def health(self) -> AdapterHealth:
        if self.last_error is not None:
            return AdapterHealth(ok=False, detail=f"last check failed: {self.last_error}")
        return AdapterHealth(ok=True, detail=f"{self.rounds} checks of SLA due times")

    async def check_once(self) -> None:
        """Every check now, in order."""
        for check in self._checks:
            await check()
        self.rounds += 1

    async def _loop(self) -> None:
        while True:
            try:
                await self.check_once()
                self.last_error = None
            except Exception as error:  # the store may be busy; the next round tries again
                self.last_error = str(error) or type(error).__name__
                log.error("escalation check failed: %s", self.last_error)
            await self._sleep(self._every_s)
