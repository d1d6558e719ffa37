"""The queue views are cached only until something changes, and built once when asked at once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial

from aiohttp.test_utils import TestClient

from appliance.presence.states import AgentState, Presence
from appliance.presence.transitions import set_presence
from appliance.spine.bus import EventBus
from appliance.store.tickets import TicketBook
from appliance.web.frame.app_keys import QUEUE_CACHE
from appliance.web.frame.store_backend import StoreWebBackend
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


async def test_a_presence_change_keeps_the_rows_but_shows_in_its_own_header(
    client: TestClient, tickets: TicketBook, bus: EventBus, backend: StoreWebBackend,
    admin_id: int,
) -> None:
    await log_in(client)
    await open_sample_ticket(tickets, subject="kept while desks flick")
    await bus.drain()
    cache = client.server.app[QUEUE_CACHE]
    before = await (await client.get("/")).text()
    assert 'value="available" class="state-available" aria-pressed="false"' in before
    version = cache.version
    backend.change_presence(admin_id, partial(_to, presence=Presence.AVAILABLE), source="test")
    await bus.drain()
    assert cache.version == version  # nothing the queue views keep shows presence
    after = await (await client.get("/")).text()
    assert 'value="available" class="state-available" aria-pressed="true"' in after
    assert "kept while desks flick" in after
    await open_sample_ticket(tickets, subject="a change that is shown")
    await bus.drain()
    assert cache.version > version
    assert "a change that is shown" in await (await client.get("/api/queue")).text()


def _to(state: AgentState, now: datetime, *, presence: Presence) -> AgentState:
    return set_presence(state, presence, now)
