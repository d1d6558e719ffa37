"""Live updates: a change on the bus reaches open pages as a server-sent event."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from appliance.store.accounts import Accounts
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket

WAIT_S = 5.0


async def _next_event(stream: ClientResponse) -> dict[str, Any]:
    """The next `data:` line of the stream, parsed."""
    async with asyncio.timeout(WAIT_S):
        while True:
            line = (await stream.content.readline()).decode().strip()
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line[6:])
                return data


async def test_a_new_ticket_reaches_an_open_page(client: TestClient,
                                                 tickets: TicketBook) -> None:
    await log_in(client)
    stream = await client.get("/events")
    assert stream.headers["Content-Type"] == "text/event-stream"
    assert (await _next_event(stream))["kind"] == "hello"
    number = await open_sample_ticket(tickets, subject="<b>never sent to the page</b>")
    event = await _next_event(stream)
    assert event["kind"] == "ticket.created"
    assert event["number"] == number
    assert "subject" not in event  # only kinds and ids travel this way
    # the core has filed it before the page is told: the rows it fetches now include it
    rows = await (await client.get("/queue/rows")).text()
    assert f"/tickets/{number}" in rows
    stream.close()


async def test_presence_changes_are_live_and_viewers_are_seen(
    client: TestClient, tickets: TicketBook
) -> None:
    await open_sample_ticket(tickets)
    token = await log_in(client)
    stream = await client.get("/events")
    await _next_event(stream)
    await client.post("/api/presence", json={"presence": "available"},
                      headers={"X-CSRF-Token": token})
    event = await _next_event(stream)
    assert (event["kind"], event["presence"]) == ("presence.changed", "available")
    viewing = await client.get("/events?ticket=1")
    await _next_event(viewing)
    assert (await _next_event(stream))["kind"] == "viewers"
    queue = await (await client.get("/queue/rows")).text()
    assert "viewing: Admin Example" in queue
    viewing.close()
    assert (await _next_event(stream))["kind"] == "viewers"
    assert "viewing:" not in await (await client.get("/queue/rows")).text()
    stream.close()


async def test_the_stream_needs_a_login(client: TestClient) -> None:
    response = await client.get("/events", allow_redirects=False)
    assert response.status == 302


async def test_a_mention_reaches_only_the_mentioned_agent(
    client: TestClient, tickets: TicketBook, store: StoreWorker, accounts: Accounts
) -> None:
    await store.call(accounts.add_user, "Anna", "anna", "agent", "anna-salasana-1")
    number = await open_sample_ticket(tickets)
    async with TestClient(TestServer(client.server.app)) as annas:  # type: ignore[arg-type]
        await log_in(annas, "anna", "anna-salasana-1")
        anna_stream = await annas.get("/events")
        await _next_event(anna_stream)
        token = await log_in(client)
        my_stream = await client.get("/events")
        await _next_event(my_stream)
        await client.post(f"/api/tickets/{number}/note", json={"body": "@anna soita hänelle"},
                          headers={"X-CSRF-Token": token})
        while True:
            event = await _next_event(anna_stream)
            if event["kind"] == "mention":
                assert (event["number"], event["by"]) == (number, "Admin Example")
                break
        mine = [(await _next_event(my_stream))["kind"]]
        while mine[-1] != "message.added":
            mine.append((await _next_event(my_stream))["kind"])
        assert "mention" not in mine  # the note itself reached me, the mention did not
        anna_stream.close()
        my_stream.close()
