"""The search page: found tickets and customers with the words marked and escaped; any typed
text answered with results or a plain "nothing found", never an error."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient

from appliance.store.models import Ticket
from appliance.store.tickets import MessageDraft, TicketBook
from tests.web.conftest import log_in, open_sample_ticket

HOSTILE = ['"', "lasku*", "NEAR(a b)", "title:x", "AND OR NOT", "'; DROP TABLE ticket; --",
           "<script>alert(1)</script>", "😀🧾", "%00", "x" * 10_240, "lasku " * 1_500,
           "\\", ")(*&^%$#@!", "\u202e\u200b"]


async def test_results_are_linked_marked_and_escaped(client: TestClient,
                                                     tickets: TicketBook) -> None:
    number = await open_sample_ticket(tickets, subject="Lasku <b>väärin</b>",
                                      body="Laskussa on virhe & muuta <img src=x>.")
    await log_in(client)
    page = await (await client.get("/search", params={"q": "laskun"})).text()
    assert f'<a href="/tickets/{number}">#{number} <mark>Lasku</mark> &lt;b&gt;väärin' in page
    assert "<mark>Laskussa</mark> on virhe &amp; muuta &lt;img src=x&gt;." in page
    assert "<img src=x>" not in page and "<b>väärin" not in page
    by_phone = await (await client.get("/search", params={"q": "040 123 4567"})).text()
    assert 'href="/customers/1"' in by_phone and "+<mark>358401234567</mark>" in by_phone


async def test_the_api_answers_json(client: TestClient, tickets: TicketBook) -> None:
    number = await open_sample_ticket(tickets, subject="Invoice missing")
    await log_in(client)
    found = await (await client.get("/api/search", params={"q": "invoices"})).json()
    assert [t["number"] for t in found["tickets"]] == [number]
    assert found["tickets"][0]["subject"] == [["Invoice", True], [" missing", False]]
    assert found["words"] == ["invoices"]


async def test_notes_are_found(client: TestClient, tickets: TicketBook) -> None:
    number = await open_sample_ticket(tickets)
    ticket_id = await tickets.worker.call(lambda: Ticket.get(Ticket.number == number).id)
    await tickets.add_message(ticket_id, MessageDraft(
        channel="note", direction="internal", body_text="Lähetetty uusi laskun kopio"))
    await log_in(client)
    found = await (await client.get("/api/search", params={"q": "laskusta"})).json()
    assert [t["number"] for t in found["tickets"]] == [number]


@pytest.mark.parametrize("typed", HOSTILE)
async def test_any_typed_text_is_answered_plainly(client: TestClient, tickets: TicketBook,
                                                  typed: str) -> None:
    await open_sample_ticket(tickets, subject="Lasku", body="lasku")
    await log_in(client)
    response = await client.get("/search?q=" + quote(typed[:2_000]))
    page = await response.text()
    assert response.status == 200, page
    assert ("Nothing found" in page or "Type a word" in page) != ('id="ticket-results"' in page)
    assert "<script>alert" not in page and "Traceback" not in page
    api = await client.get("/api/search", params={"q": typed[:2_000]})
    assert api.status == 200


async def test_ten_kilobytes_typed_are_answered(client: TestClient, tickets: TicketBook) -> None:
    """10 KB is more than a request line carries (aiohttp stops at 8 KB): the header's box
    holds 500 characters, and a longer text is searched by POST."""
    await open_sample_ticket(tickets, subject="Printer", body="The printer prints nothing.")
    token = await log_in(client)
    page = await (await client.get("/")).text()
    assert 'id="search-box"' in page and 'maxlength="500"' in page
    for typed, finds in (("ä" * 10_240, False), ("printer " * 1_280, True),
                         ("🧾" * 2_560, False), ("x" * 10_240, False)):
        response = await client.post("/search", data={"csrf_token": token, "q": typed})
        assert response.status == 200
        assert ('id="ticket-results"' in await response.text()) == finds
        api = await client.post("/api/search", json={"q": typed},
                                headers={"X-CSRF-Token": token})
        assert bool((await api.json())["tickets"]) == finds
    wrong = await client.post("/api/search", json={"q": ["x"]}, headers={"X-CSRF-Token": token})
    assert wrong.status == 400 and "q must be text" in (await wrong.json())["error"]
    unsigned = await client.post("/search", data={"q": "printer"})
    assert unsigned.status == 403


async def test_search_needs_a_login(client: TestClient) -> None:
    response = await client.get("/search?q=lasku", allow_redirects=False)
    assert response.status in (302, 303, 401)
    api = await client.get("/api/search?q=lasku", allow_redirects=False)
    assert api.status == 401
