"""The queue views are cached only until something changes, and built once when asked at once."""

from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient

from appliance.spine.bus import EventBus
from appliance.store.tickets import TicketBook
from appliance.web.tickets.queue_cache import QueueCache
from tests.web.conftest import log_in, open_sample_ticket


async def test_a_change_on_the_bus_or_a_post_shows_at_once(
    client: TestClient, tickets: TicketBook, bus: EventBus
) -> None:
    token = await log_in(client)
    assert "Nothing waiting." in await (await client.get("/")).text()
    number = await open_sample_ticket(tickets, subject="fresh one")
    await bus.drain()
    assert "fresh one" in await (await client.get("/")).text()
    assert "fresh one" in await (await client.get("/api/queue")).text()
    await client.post(f"/tickets/{number}/fields", data={"csrf_token": token,
                                                        "priority": "urgent"})
    rows = (await (await client.get("/api/queue")).json())["items"]
    assert rows[0]["priority"] == "urgent"


async def test_concurrent_misses_build_once_and_a_bump_during_a_build_is_not_kept() -> None:
    cache = QueueCache()
    builds = 0
    gate = asyncio.Event()

    async def build() -> int:
        nonlocal builds
        builds += 1
        await gate.wait()
        return builds

    waiting = [asyncio.create_task(cache.get("k", build)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [1] * 5
    assert builds == 1
    assert await cache.get("k", build) == 1  # kept
    gate.clear()
    late = asyncio.create_task(cache.get("k2", build))
    await asyncio.sleep(0)
    cache.bump()  # the queue changed while it was being built
    gate.set()
    assert await late == 2
    assert await cache.get("k2", build) == 3  # the stale value was not kept
