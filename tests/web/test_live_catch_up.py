"""A page hears of a change once the switchboard has filed it, not once it has filed everything."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from appliance.spine.bus import EventBus
from appliance.spine.events import AgentPaused, Event
from appliance.web.frame.live import CATCH_UP_S, LiveHub

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _change(n: int) -> AgentPaused:
    # a change the cached views show (a presence change alone renders none again)
    return AgentPaused(at=AT, agent_id=n, reason="missed offers")


async def test_a_change_is_passed_on_while_later_ones_wait_to_be_filed() -> None:
    bus = EventBus()
    go: asyncio.Queue[None] = asyncio.Queue()
    filed: list[int] = []

    async def switchboard(event: Event) -> None:  # files one change each time the test says
        await go.get()
        filed.append(event.agent_id)  # type: ignore[attr-defined]

    board = bus.subscribe("switchboard", switchboard)

    async def caught_up(through: int | None) -> None:
        await (board.queue.join() if through is None else board.reached(through))

    changed = asyncio.Event()
    hub = LiveHub(on_change=changed.set)
    hub.attach(bus, caught_up)
    bus.start()
    for n in range(1, 4):
        bus.publish(_change(n))
    await asyncio.sleep(0)
    assert not changed.is_set()  # the first change is not filed yet
    go.put_nowait(None)
    # told at once, with two changes still to file: not after CATCH_UP_S of waiting for all
    await asyncio.wait_for(changed.wait(), CATCH_UP_S / 2)
    assert filed == [1]
    go.put_nowait(None)
    go.put_nowait(None)
    hub.detach()
    await bus.stop(within=1)
