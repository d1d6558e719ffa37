"""For `aspa demo`: simulated customers call the simulated modem; agents' phones answer or not.

Everything else is real: the driver, the exchange, the store. Start it next
to a running desk with `start_demo_callers(sim)`; cancel the task to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from appliance.gsm.simulator import SimulatedModem
from appliance.gsm.simulator.sim_call import ACTIVE, ALERTING, DIALING

log = logging.getLogger("aspa.calls.demo")

DEMO_CALLERS = ("+358401234567", "+358405550101", "+358505550202", "+358445550303",
                "+358465550404", "+358405550505")


@dataclass(frozen=True)
class DemoPace:
    """How often customers call and how the simulated people behave (seconds, chances)."""

    arrival_s: tuple[float, float] = (15.0, 45.0)
    answer_chance: float = 0.7  # an agent's phone is answered, else it rings out
    answer_after_s: tuple[float, float] = (2.0, 6.0)
    talk_s: tuple[float, float] = (20.0, 90.0)  # then the caller hangs up (if the box sees it)
    give_up_chance: float = 0.1  # a caller hangs up while waiting
    give_up_after_s: tuple[float, float] = (5.0, 25.0)


class DemoCallers:
    """Places calls on a simulated modem and plays the agents' phones."""

    def __init__(
        self, sim: SimulatedModem, pace: DemoPace | None = None, *, seed: int | None = None
    ) -> None:
        self.sim = sim
        self.pace = pace or DemoPace()
        self.rng = random.Random(seed)
        self.placed = 0
        self.answered = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def _between(self, span: tuple[float, float]) -> float:
        return self.rng.uniform(*span)

    async def run(self, calls: int | None = None) -> None:
        """Place `calls` calls (forever when None), answering agents' phones meanwhile.

        With a count, it returns once those calls have all ended, so that none is cut
        short by its caller's or agent's behaviour being cancelled.
        """
        watcher = asyncio.ensure_future(self._watch_dials())
        try:
            while calls is None or self.placed < calls:
                await asyncio.sleep(self._between(self.pace.arrival_s))
                await self._place_call()
            await self.sim.wait_until_no_calls()  # a counted run lets its calls play out
        finally:
            watcher.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(watcher, *self._tasks, return_exceptions=True)

    async def _place_call(self) -> None:
        number = self.rng.choice(DEMO_CALLERS)
        try:
            index = await self.sim.incoming_call(number)
        except OSError as error:
            log.info("demo caller %s could not call: %s", number, error)
            return
        self.placed += 1
        if self.rng.random() < self.pace.give_up_chance:
            self._later(self._between(self.pace.give_up_after_s), self._hang_up, index, False)

    async def _watch_dials(self) -> None:
        """Each time the box dials an agent, that phone answers or rings out."""
        seen = len(self.sim.received)
        while True:
            await self.sim.wait_for_command("ATD", within=3600.0, start=seen)
            dialled = [c for c in self.sim.received[seen:] if c.upper().startswith("ATD")]
            seen = len(self.sim.received)
            for _ in dialled:
                leg = next((c for c in reversed(self.sim.calls) if not c.incoming), None)
                if leg is not None and self.rng.random() < self.pace.answer_chance:
                    self._later(self._between(self.pace.answer_after_s), self._answer, leg.index)

    async def _answer(self, index: int) -> None:
        call = self.sim.call(index)
        if call is None or call.stat not in (DIALING, ALERTING):
            return
        await self.sim.remote_answers(index)
        self.answered += 1
        caller = next((c for c in self.sim.calls if c.incoming), None)
        if caller is not None:
            self._later(self._between(self.pace.talk_s), self._hang_up, caller.index, True)

    async def _hang_up(self, index: int, talking: bool) -> None:
        call = self.sim.call(index)
        if call is None or (talking and call.stat != ACTIVE):
            return
        with contextlib.suppress(LookupError):
            await self.sim.remote_hangs_up(index)

    def _later(self, delay: float, action: object, *args: object) -> None:
        async def run() -> None:
            await asyncio.sleep(delay)
            await action(*args)  # type: ignore[operator]

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def start_demo_callers(sim: SimulatedModem, pace: DemoPace | None = None) -> asyncio.Task[None]:
    """Run demo callers on `sim` until the returned task is cancelled."""
    return asyncio.ensure_future(DemoCallers(sim, pace).run())
