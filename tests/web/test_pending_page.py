"""Pending from the ticket page: a time on the office's clock and a reason, the pending list
showing when each comes back, and clear refusals for a wrong time."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.models import Ticket
from appliance.store.tickets import TicketBook
from appliance.switchboard.switchboard import Switchboard
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.board_backend import ZONE
from tests.web.conftest import log_in, open_sample_ticket
from tests.web.test_live import _next_event


async def test_pending_until_tomorrow_nine_and_back(client: TestClient, tickets: TicketBook,
                                                    board: Switchboard, clock: ManualClock,
                                                    backend: StoreWebBackend) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    local_now = clock.now().astimezone(ZONE)
    tomorrow_nine = (local_now + timedelta(days=1)).replace(hour=9, minute=0, second=0,
                                                            microsecond=0)
    response = await client.post(f"/tickets/{number}/pending", data={
        "csrf_token": token, "until": tomorrow_nine.strftime("%Y-%m-%dT%H:%M"),
        "reason": "Varaosa <tilattu>"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    ticket = await tickets.worker.call(lambda: Ticket.get(Ticket.number == number))
    assert ticket.status == "pending" and ticket.pending_until == tomorrow_nine
    assert f"ticket:{ticket.id}" not in [i.id for i in board.items()]

    page = await (await client.get(f"/tickets/{number}")).text()
    assert "Waiting until " + tomorrow_nine.strftime("%Y-%m-%d %H:%M") in page
    assert "Varaosa &lt;tilattu&gt;" in page
    listed = await (await client.get("/tickets?status=pending")).text()
    assert tomorrow_nine.strftime("%Y-%m-%d %H:%M") in listed
    assert "Varaosa &lt;tilattu&gt;" in listed
    api = await (await client.get("/api/tickets?status=pending")).json()
    assert api["tickets"][0]["pending_reason"] == "Varaosa <tilattu>"

    clock.set(tomorrow_nine - timedelta(minutes=1))
    assert await board.return_due_pending() == []
    clock.set(tomorrow_nine)
    assert await board.return_due_pending() == [number]
    assert f"ticket:{ticket.id}" in [i.id for i in board.items()]
    await log_in(client)  # a day later: the session has timed out
    assert (await (await client.get("/api/tickets?status=pending")).json())["tickets"] == []


async def test_the_api_takes_an_offset_and_refuses_wrong_times(
        client: TestClient, tickets: TicketBook, clock: ManualClock) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    headers = {"X-CSRF-Token": token}
    # the API names the field; the page names it by its label (problem_text.py)
    for until, words, on_page in (
            ("tomorrow", "until must be a date and time", "until must be a date and time"),
            ("2020-01-01T09:00", "must be in the future", "must be in the future"),
            ("", "until is required", "Pending until: required"),
            ("9" * 50, "too long", "too long")):
        response = await client.post(f"/api/tickets/{number}/pending",
                                     json={"until": until, "reason": "x"}, headers=headers)
        assert response.status == 400, until
        assert words in (await response.json())["error"]
        page = await client.post(f"/tickets/{number}/pending",
                                 data={"csrf_token": token, "until": until})
        assert page.status == 400 and on_page in await page.text()
    ticket = await tickets.worker.call(lambda: Ticket.get(Ticket.number == number))
    assert ticket.status == "new"
    when = (clock.now() + timedelta(hours=5)).isoformat()
    done = await client.post(f"/api/tickets/{number}/pending", json={"until": when},
                             headers=headers)
    assert done.status == 200 and (await done.json())["pending_until"] == when


async def test_the_assignee_is_told_on_an_open_page(client: TestClient, tickets: TicketBook,
                                                    board: Switchboard, clock: ManualClock,
                                                    admin_id: int) -> None:
    number = await open_sample_ticket(tickets)
    ticket_id = await tickets.worker.call(lambda: Ticket.get(Ticket.number == number).id)
    await tickets.assign(ticket_id, admin_id)
    await tickets.set_pending(ticket_id, clock.now() + timedelta(minutes=5), "soitto")
    await log_in(client)
    stream = await client.get("/events")
    assert (await _next_event(stream))["kind"] == "hello"
    clock.advance(timedelta(minutes=5))
    assert await board.return_due_pending() == [number]
    kinds = []
    while not kinds or kinds[-1]["kind"] != "returned":
        kinds.append(await _next_event(stream))
    assert kinds[-1] == {"kind": "returned", "number": number, "why": "time"}
    assert "ticket.returned" in [k["kind"] for k in kinds]
    stream.close()
