"""A daemon part that does one check on a timer: started and stopped by the supervisor,
healthy while its last check went through, and never ended by one that failed."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from appliance.ports.adapter import AdapterHealth

Sleep = Callable[[float], Awaitable[None]]


class TimedPart(ABC):
    """Runs `check_once` every `every_s` seconds; a subclass says what the check is."""

    part_name = "timed"

    def __init__(self, every_s: float, log: logging.Logger, *,
                 sleep: Sleep = asyncio.sleep) -> None:
        self._every_s = every_s
        self._log = log
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._waiting = False  # between two rounds: a stop there cuts no check short
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        return self.part_name

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.part_name)

    async def stop_input(self) -> None:
        """No further rounds once the daemon stops: what a round publishes is work the stop
        would otherwise wait for."""
        await self.stop()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    @property
    def every_s(self) -> float:
        """Seconds between two rounds."""
        return self._every_s

    async def use_period(self, every_s: float) -> None:
        """Rounds every `every_s` seconds from now on (a setting saved on the page).

        A wait under the old period ends at once with a round, rather than running out an
        hour's period; a round in progress finishes and then waits the new period.
        """
        changed = every_s != self._every_s
        self._every_s = every_s
        if changed and self._task is not None and self._waiting:
            await self.stop()
            await self.start()

    def health(self) -> AdapterHealth:
        if self.last_error is not None:
            return AdapterHealth(ok=False, detail=f"last check failed: {self.last_error}")
        return AdapterHealth(ok=True, detail=self.done_text())

    @abstractmethod
    def done_text(self) -> str:
        """What the checks have done so far, for the health line."""

    @abstractmethod
    async def check_once(self) -> object:
        """One round of the part's check."""

    async def _loop(self) -> None:
        while True:
            try:
                await self.check_once()
                self.last_error = None
            except Exception as error:  # the store may be busy; the next round tries again
                self.last_error = str(error) or type(error).__name__
                self._log.error("%s check failed: %s", self.part_name, self.last_error)
            self._waiting = True
            try:
                await self._sleep(self._every_s)
            finally:
                self._waiting = False
