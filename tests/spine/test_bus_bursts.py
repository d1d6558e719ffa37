"""A burst of events for one subscriber leaves the loop free for other work in between."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from appliance.spine.bus import BURST_EVENTS, EventBus
from appliance.spine.events import Event, PresenceChanged

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _change(n: int) -> PresenceChanged:
    return PresenceChanged(at=AT, agent_id=n, presence="available", activity="idle", source="test")


async def test_other_work_runs_while_a_subscriber_takes_a_burst_of_events() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe("history", seen.append)  # handles each event without ever suspending
    bus.start()
    try:
        burst = [_change(n) for n in range(10 * BURST_EVENTS)]
        for event in burst:
            bus.publish(event)
        handled_when_the_line_was_read: list[int] = []
        # a modem line becoming readable: a callback queued after the burst was published
        asyncio.get_running_loop().call_soon(lambda: handled_when_the_line_was_read.append(
            len(seen)))
        await bus.drain()
        assert handled_when_the_line_was_read == [BURST_EVENTS]
        assert seen == burst  # every event, in order
    finally:
        await bus.stop()


async def test_a_quiet_subscriber_handles_a_single_event_at_once() -> None:
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe("history", seen.append)
    bus.start()
    try:
        bus.publish(_change(1))
        await bus.drain()
        assert len(seen) == 1
    finally:
        await bus.stop()
