"""A subscriber that takes its events in batches: what has queued up, in order, at most its
bound a call; waiting for one event still works; a failed batch is counted, not lost track
of, and the next events still come."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from appliance.spine.bus import EventBus
from appliance.spine.events import Event, HealthChanged, PresenceChanged

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MOST = 8


def _change(n: int) -> PresenceChanged:
    return PresenceChanged(at=AT, agent_id=n, presence="available", activity="idle", source="test")


class Batches:
    """A batch handler that keeps what it was given and, when told to, holds a batch until
    the test lets it go, or fails on an agent's event."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.given: list[list[int]] = []
        self.fail_on = fail_on
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()

    async def __call__(self, events: list[Event]) -> None:
        self.given.append([e.agent_id for e in events])  # type: ignore[attr-defined]
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_on in self.given[-1]:
            raise ValueError("this batch fails")


async def test_what_queued_up_comes_in_order_in_batches_of_at_most_the_bound() -> None:
    bus = EventBus()
    batches = Batches()
    sub = bus.subscribe_batches("notices", batches, [PresenceChanged], MOST)
    bus.start()
    try:
        for n in range(1, 3 * MOST + 4):
            bus.publish(_change(n))
        bus.publish(HealthChanged(at=AT, part="gsm", ok=True, detail=""))  # not its kind
        await bus.drain()
        assert [n for batch in batches.given for n in batch] == list(range(1, 3 * MOST + 4))
        assert [len(batch) for batch in batches.given] == [MOST, MOST, MOST, 3]
        assert sub.delivered == 3 * MOST + 3 and sub.failed == 0

        bus.publish(_change(100))  # alone: handled alone, at once
        await bus.drain()
        assert batches.given[-1] == [100]
    finally:
        await bus.stop()


async def test_an_event_in_a_batch_being_handled_is_not_handled_through() -> None:
    bus = EventBus()
    batches = Batches()
    batches.gate = asyncio.Event()
    sub = bus.subscribe_batches("notices", batches, [PresenceChanged], MOST)
    bus.start()
    try:
        for n in range(1, 4):
            bus.publish(_change(n))  # the bus's events 1, 2, 3
        third = asyncio.create_task(sub.reached(3))
        await asyncio.wait_for(batches.started.wait(), 5)
        assert batches.given == [[1, 2, 3]]
        assert not sub.handled_through(1) and not sub.handled_through(3) and not third.done()
        batches.gate.set()
        await asyncio.wait_for(third, 5)
        assert sub.handled_through(3)
    finally:
        await bus.stop()


async def test_a_failed_batch_is_counted_and_the_next_events_still_come() -> None:
    bus = EventBus()
    batches = Batches(fail_on=2)
    sub = bus.subscribe_batches("notices", batches, [PresenceChanged], MOST)
    bus.start()
    try:
        for n in range(1, 4):
            bus.publish(_change(n))
        await bus.drain()
        bus.publish(_change(4))
        await bus.drain()
        assert batches.given == [[1, 2, 3], [4]]
        assert sub.failed == 3 and sub.delivered == 1
    finally:
        await bus.stop()
