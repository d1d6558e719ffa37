"""The heap is handed back once a burst of events has calmed, not during it, not after a trickle."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from appliance.runtime.heap_trim import HeapTrimmer, glibc_trim
from appliance.spine.bus import EventBus
from appliance.spine.events import TicketCreated

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class StepSleep:
    """The trimmer's sleep, ended one step at a time by the test."""

    def __init__(self) -> None:
        self._go: asyncio.Queue[None] = asyncio.Queue()
        self.asleep = asyncio.Event()

    async def __call__(self, _seconds: float) -> None:
        self.asleep.set()
        await self._go.get()

    async def step(self) -> None:
        """Let one sleep end and wait until the trimmer sleeps again."""
        self.asleep.clear()
        self._go.put_nowait(None)
        await self.asleep.wait()


def publish(bus: EventBus, count: int) -> None:
    for n in range(count):
        bus.publish(TicketCreated(at=AT, ticket_id=n + 1, number=1001 + n, channel="email",
                                  subject="Asia", priority="normal"))


async def test_the_heap_is_trimmed_once_when_a_burst_has_gone_quiet() -> None:
    bus = EventBus()
    handled: list[int] = []
    bus.subscribe("slow", lambda e: handled.append(1))
    trims: list[bool] = []
    sleep = StepSleep()
    trimmer = HeapTrimmer(bus, lambda: trims.append(True) or True, burst_events=100, sleep=sleep)
    trimmer.start()
    await sleep.asleep.wait()
    publish(bus, 150)
    await sleep.step()  # events came in since the last look: not quiet
    assert trims == []
    # quiet, though the subscriber has not handled them yet: a slow one may take minutes
    await sleep.step()
    assert trims == [True] and handled == []
    await sleep.step()  # nothing new: no second trim
    assert trims == [True] and trimmer.trims == 1
    await trimmer.stop()


async def test_a_burst_that_calms_to_a_trickle_is_over() -> None:
    # after a backlog the SLA rounds go on publishing: half the busiest look is calm
    bus = EventBus()
    bus.start()
    trims: list[bool] = []
    sleep = StepSleep()
    trimmer = HeapTrimmer(bus, lambda: trims.append(True) or True, burst_events=100, sleep=sleep)
    trimmer.start()
    await sleep.asleep.wait()
    publish(bus, 120)
    await sleep.step()
    publish(bus, 80)  # still busy: two thirds of the busiest look
    await sleep.step()
    assert trims == []
    publish(bus, 50)  # under half of it
    await sleep.step()
    assert trims == [True]
    for _ in range(3):  # the trickle goes on: under a burst's worth since the trim
        publish(bus, 50)
        await sleep.step()
    assert trims == [True]
    await trimmer.stop()
    await bus.stop()


async def test_the_store_gives_back_its_cache_before_the_trim() -> None:
    bus = EventBus()
    done: list[str] = []

    async def release() -> None:
        done.append("release")

    sleep = StepSleep()
    trimmer = HeapTrimmer(bus, lambda: done.append("trim") or True, burst_events=100,
                          sleep=sleep, release=release)
    trimmer.start()
    await sleep.asleep.wait()
    publish(bus, 150)
    await sleep.step()
    await sleep.step()
    assert done == ["release", "trim"]
    await trimmer.stop()


async def test_a_failed_release_still_trims(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    trims: list[bool] = []

    async def release() -> None:
        raise OSError("disk I/O error")

    sleep = StepSleep()
    trimmer = HeapTrimmer(bus, lambda: trims.append(True) or True, burst_events=100,
                          sleep=sleep, release=release)
    trimmer.start()
    await sleep.asleep.wait()
    publish(bus, 150)
    await sleep.step()
    await sleep.step()
    assert trims == [True]
    assert "releasing the store's cache" in caplog.text
    await trimmer.stop()


async def test_a_trickle_of_events_is_no_reason_to_trim() -> None:
    bus = EventBus()
    bus.start()
    trims: list[bool] = []
    sleep = StepSleep()
    trimmer = HeapTrimmer(bus, lambda: trims.append(True) or True, burst_events=100, sleep=sleep)
    trimmer.start()
    await sleep.asleep.wait()
    for _ in range(5):
        publish(bus, 10)
        await sleep.step()
        await sleep.step()
    assert trims == []
    await trimmer.stop()
    await bus.stop()


def test_the_c_library_of_this_machine_can_trim() -> None:
    trim = glibc_trim()
    assert trim is not None  # Debian's glibc, as on the box
    assert trim() in (True, False)
