"""The daemon's part that looks at the clock for the queue: work held for an account manager
goes to everyone when its time is up, SLA warnings and breaches are told and acted on, and
the notices due go out (the round's SLA notices one per agent and way, those held for quiet
hours, retried after a failure, or left by a stop); every `every_s` seconds, so each is at
most that late. The first round runs at start, once the daemon has told READY: before it,
its SLA claims (tens of ms of the store's one thread at 2,000 items past due) came ahead of
the reads the other parts need to start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from appliance.runtime.timed_part import Sleep, TimedPart

log = logging.getLogger("aspa.escalation")

Check = Callable[[], Awaitable[object]]


class EscalationWatch(TimedPart):
    """Runs the switchboard's and the notifier's timed checks, one after another."""

    part_name = "escalation"

    def __init__(self, checks: Sequence[Check], every_s: float, *,
                 sleep: Sleep = asyncio.sleep, after: Check | None = None) -> None:
        super().__init__(every_s, log, sleep=sleep)
        self._checks = tuple(checks)
        self._after = after  # the rounds wait for this (the daemon's READY)
        self.rounds = 0

    def done_text(self) -> str:
        return f"{self.rounds} checks of SLA due times"

    async def check_once(self) -> None:
        """Every check now, in order."""
        if self._after is not None:
            await self._after()
        for check in self._checks:
            await check()
        self.rounds += 1
