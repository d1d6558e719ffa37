"""Bad input gets a clear 4xx page and stores nothing."""

from __future__ import annotations

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from appliance.store.models import Message, Ticket
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket


async def _messages(store: StoreWorker) -> int:
    return int(await store.call(lambda: Message.select().count()))


async def test_unknown_ids_are_404_pages(client: TestClient) -> None:
    await log_in(client)
    for path in ("/tickets/999999", "/tickets/abc", "/customers/77", "/api/tickets/5",
                 "/tickets/99999999999999999999"):
        response = await client.get(path)
        assert response.status == 404, path
    page = await client.get("/tickets/999999")
    assert "ticket #999999 does not exist" in await page.text()
    assert "Traceback" not in await page.text()


async def test_malformed_fields_are_refused_and_nothing_is_stored(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    before = await _messages(store)
    cases = [
        (f"/tickets/{number}/reply", {"channel": "fax", "body": "x"}, 400),
        (f"/tickets/{number}/reply", {"channel": "email", "body": "   "}, 400),
        (f"/tickets/{number}/note", {}, 400),
        (f"/tickets/{number}/fields", {"assignee": "-3"}, 400),
        (f"/tickets/{number}/fields", {"assignee": "4242"}, 404),
        (f"/tickets/{number}/fields", {"priority": "whenever"}, 400),
        (f"/tickets/{number}/merge", {"into": "1e3"}, 400),
        ("/tickets/424242/note", {"body": "to nowhere"}, 404),
        ("/presence", {"presence": "asleep"}, 400),
    ]
    for path, data, status in cases:
        response = await client.post(path, data={"csrf_token": token, **data})
        assert response.status == status, (path, data, await response.text())
        assert "<h1>" in await response.text()
    bad_json = await client.post(f"/api/tickets/{number}/note", data=b"{not json",
                                 headers={"X-CSRF-Token": token,
                                          "Content-Type": "application/json"})
    assert bad_json.status == 400
    assert "not valid JSON" in (await bad_json.json())["error"]
    wrong_type = await client.post(f"/api/tickets/{number}/note", json={"body": ["x"]},
                                   headers={"X-CSRF-Token": token})
    assert wrong_type.status == 400
    assert await _messages(store) == before
    ticket = await store.call(lambda: Ticket.get(Ticket.number == number))
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("new", "normal", None)


async def test_oversized_bodies_are_refused_with_413(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    before = await _messages(store)
    huge = "x" * (1024 * 1024)
    for path, data in ((f"/tickets/{number}/note", {"body": huge}),
                       (f"/tickets/{number}/reply", {"channel": "email", "body": huge}),
                       ("/admin/agents", {"name": huge, "login": "x", "role": "agent",
                                          "password": "12345678"})):
        response = await client.post(path, data={"csrf_token": token, **data})
        assert response.status == 413, path
        assert "Too large" in await response.text()
    form = FormData()
    form.add_field("body", "with a file")
    form.add_field("file", huge.encode(), filename="big.bin")
    upload = await client.post(f"/tickets/{number}/note", headers={"X-CSRF-Token": token},
                               data=form)
    assert upload.status == 413
    long_body = await client.post(f"/tickets/{number}/note", data={
        "csrf_token": token, "body": "y" * 60_000})
    assert long_body.status == 400
    assert await _messages(store) == before


async def test_a_ticket_with_a_1_mb_subject_is_refused_whole(
    client: TestClient, store: StoreWorker
) -> None:
    token = await log_in(client)
    headers = {"X-CSRF-Token": token}
    huge = await client.post("/api/tickets", headers=headers, json={
        "channel": "web", "subject": "s" * (1024 * 1024), "body": "hello"})
    assert huge.status == 413
    long = await client.post("/api/tickets", headers=headers, json={
        "channel": "web", "subject": "s" * 501, "body": "hello"})
    assert long.status == 400
    assert "subject is too long" in (await long.json())["error"]
    assert await store.call(lambda: Ticket.select().count()) == 0
    assert await _messages(store) == 0
    made = await client.post("/api/tickets", headers=headers, json={
        "channel": "web", "subject": "Walk-in", "body": "asked about the invoice"})
    assert made.status == 200
    number = (await made.json())["number"]
    page = await (await client.get(f"/tickets/{number}")).text()
    assert "asked about the invoice" in page


async def test_a_stored_1_mb_subject_still_shows(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets, subject="<i>" + "s" * (1024 * 1024))
    await log_in(client)
    page = await client.get(f"/tickets/{number}")
    assert page.status == 200
    assert "&lt;i&gt;sss" in await page.text()
