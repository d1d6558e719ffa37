"""A drain with a bound gives up on a subscriber that cannot keep up, and says what it left."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from appliance.spine.bus import EventBus
from appliance.spine.events import Event, PresenceChanged

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _change(n: int) -> PresenceChanged:
    return PresenceChanged(at=AT, agent_id=n, presence="available", activity="idle", source="test")


async def test_a_bounded_drain_names_the_subscriber_left_behind_and_its_queued_events() -> None:
    bus = EventBus()
    seen: list[Event] = []
    never = asyncio.Event()

    async def stuck(_event: Event) -> None:
        await never.wait()  # a subscriber whose backlog outlasts any stop

    bus.subscribe("history", seen.append)
    bus.subscribe("notices", stuck)
    bus.start()
    for n in range(5):
        bus.publish(_change(n))
    left = await bus.drain(within=0.2)
    assert left == {"notices": 4}  # the first is in its handler, four still queued
    assert len(seen) == 5  # the others had everything
    assert await bus.stop(within=0.2) == {"notices": 4}
    assert all(sub.task is None for sub in bus.subscriptions)


async def test_a_bounded_drain_of_subscribers_that_keep_up_leaves_nothing() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe("history", seen.append)
    bus.start()
    for n in range(50):
        bus.publish(_change(n))
    assert await bus.drain(within=30.0) == {}
    assert len(seen) == 50
    assert await bus.stop(within=30.0) == {}
