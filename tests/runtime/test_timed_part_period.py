"""A timed part's period changed while it runs (escalation.check_seconds saved): a wait under
the old period ends at once, and the rounds go on at the new one; a round in progress is
not cut short."""

from __future__ import annotations

import asyncio

from appliance.runtime.escalation_watch import EscalationWatch

LONG_S, SHORT_S = 3600.0, 5.0
WAIT_S = 10.0  # only a bound on a loaded machine: every step below is woken, never slept


class Naps:
    """The part's sleep: each call records its length and waits until the test lets it end."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.started = asyncio.Condition()
        self._ends: list[asyncio.Event] = []

    async def __call__(self, seconds: float) -> None:
        end = asyncio.Event()
        self._ends.append(end)
        async with self.started:
            self.asked.append(seconds)
            self.started.notify_all()
        await end.wait()

    async def count(self, n: int) -> None:
        """Wait until the part has begun its n-th wait."""
        async with asyncio.timeout(WAIT_S), self.started:
            await self.started.wait_for(lambda: len(self.asked) >= n)

    def end_last(self) -> None:
        self._ends[-1].set()


async def test_a_shorter_period_ends_the_long_wait_at_once() -> None:
    rounds: list[int] = []

    async def check() -> None:
        rounds.append(len(rounds) + 1)

    naps = Naps()
    watch = EscalationWatch([check], LONG_S, sleep=naps)
    await watch.start()
    try:
        await naps.count(1)
        assert rounds == [1] and naps.asked == [LONG_S]
        await watch.use_period(SHORT_S)
        await naps.count(2)  # a round at once, then the new period
        assert rounds == [1, 2] and naps.asked == [LONG_S, SHORT_S]
        assert watch.every_s == SHORT_S
        naps.end_last()
        await naps.count(3)
        assert rounds == [1, 2, 3] and naps.asked[-1] == SHORT_S
    finally:
        await watch.stop()


async def test_a_round_in_progress_finishes_and_then_waits_the_new_period() -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    finished: list[bool] = []

    async def slow_check() -> None:
        entered.set()
        await release.wait()
        finished.append(True)

    naps = Naps()
    watch = EscalationWatch([slow_check], LONG_S, sleep=naps)
    await watch.start()
    try:
        async with asyncio.timeout(WAIT_S):
            await entered.wait()
        await watch.use_period(SHORT_S)
        release.set()
        await naps.count(1)
        assert finished == [True] and naps.asked == [SHORT_S]
    finally:
        await watch.stop()


async def test_the_first_round_waits_for_the_daemons_ready() -> None:
    rounds: list[int] = []

    async def check() -> None:
        rounds.append(len(rounds) + 1)

    ready = asyncio.Event()
    naps = Naps()
    watch = EscalationWatch([check], LONG_S, sleep=naps, after=ready.wait)
    await watch.start()
    try:
        for _ in range(5):
            await asyncio.sleep(0)  # the part's task has run as far as it can
        assert rounds == [] and naps.asked == []
        ready.set()
        await naps.count(1)
        assert rounds == [1]
        naps.end_last()
        await naps.count(2)  # later rounds go as before
        assert rounds == [1, 2]
    finally:
        await watch.stop()
