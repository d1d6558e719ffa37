"""Waiting for a subscriber to have handled one event, while later ones are still queued."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from appliance.spine.bus import EventBus
from appliance.spine.events import Event, HealthChanged, PresenceChanged

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _change(n: int) -> PresenceChanged:
    return PresenceChanged(at=AT, agent_id=n, presence="available", activity="idle", source="test")


class Gate:
    """A handler that finishes each event only when the test lets it."""

    def __init__(self) -> None:
        self.handled: list[int] = []
        self._go: asyncio.Queue[None] = asyncio.Queue()

    async def __call__(self, event: Event) -> None:
        await self._go.get()
        self.handled.append(event.agent_id)  # type: ignore[attr-defined]

    def let_one_through(self) -> None:
        self._go.put_nowait(None)


async def test_reached_returns_once_that_event_is_handled_not_the_whole_queue() -> None:
    bus = EventBus()
    gate = Gate()
    slow = bus.subscribe("switchboard", gate, [PresenceChanged])
    bus.start()
    for n in range(1, 4):
        bus.publish(_change(n))  # the bus's events 1, 2, 3
    first = asyncio.create_task(slow.reached(1))
    await asyncio.sleep(0)
    assert not first.done() and not slow.handled_through(1)
    gate.let_one_through()
    await asyncio.wait_for(first, 5)
    assert gate.handled == [1] and slow.queue.qsize() + (slow.handling is not None) == 2
    assert slow.handled_through(1) and not slow.handled_through(2)
    gate.let_one_through()
    gate.let_one_through()
    await asyncio.wait_for(slow.reached(3), 5)
    assert gate.handled == [1, 2, 3]
    await bus.stop(within=1)


async def test_events_the_subscriber_does_not_take_are_no_reason_to_wait() -> None:
    bus = EventBus()
    gate = Gate()
    slow = bus.subscribe("switchboard", gate, [PresenceChanged])
    bus.start()
    bus.publish(HealthChanged(at=AT, part="gsm0", ok=True, detail="registered"))  # event 1
    await asyncio.wait_for(slow.reached(1), 5)  # nothing of its own before it
    bus.publish(_change(7))  # event 2
    bus.publish(HealthChanged(at=AT, part="gsm0", ok=False, detail="lost"))  # event 3
    waiting = asyncio.create_task(slow.reached(3))
    await asyncio.sleep(0)
    assert not waiting.done()  # event 2 is its own and not handled yet
    gate.let_one_through()
    await asyncio.wait_for(waiting, 5)
    await bus.stop(within=1)


async def test_a_waiter_that_gave_up_is_forgotten() -> None:
    bus = EventBus()
    gate = Gate()
    slow = bus.subscribe("switchboard", gate)
    bus.start()
    bus.publish(_change(1))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(slow.reached(1), 0.05)
    gate.let_one_through()
    await asyncio.wait_for(slow.reached(1), 5)
    assert slow._waiters == []
    await bus.stop(within=1)
