"""Taking work and answering it from the web: take next, reply, note, fields, merge."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.mail_desk import MailDeskService
from appliance.spine.bus import EventBus
from appliance.spine.events import MessageAdded
from appliance.store.accounts import Accounts
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import Message, Ticket
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import log_in, open_sample_ticket


async def _ticket(store: StoreWorker, number: int) -> Ticket:
    return await store.call(Ticket.get, Ticket.number == number)


async def test_take_next_gives_me_the_top_item_and_opens_it(
    client: TestClient, tickets: TicketBook, store: StoreWorker, admin_id: int, bus: EventBus
) -> None:
    first = await open_sample_ticket(tickets, subject="first")
    await tickets.open_ticket("email", "urgent later", priority="urgent")
    await bus.drain()
    token = await log_in(client)
    await _available(client, token)
    response = await client.post("/queue/take", data={"csrf_token": token},
                                 allow_redirects=False)
    assert response.status == 303
    urgent = first + 1
    assert response.headers["Location"] == f"/tickets/{urgent}"  # urgent goes first
    taken = await _ticket(store, urgent)
    assert (taken.assignee_id, taken.status) == (admin_id, "open")
    again = await client.post("/api/queue/take", headers={"X-CSRF-Token": token})
    assert (await again.json())["number"] == urgent  # still mine, still on top
    await client.post(f"/tickets/{urgent}/fields", data={"csrf_token": token,
                                                        "status": "resolved"})
    await bus.drain()
    after = await client.post("/api/queue/take", headers={"X-CSRF-Token": token})
    assert (await after.json())["number"] == first


async def _available(client: TestClient, token: str) -> None:
    """Say "available" with one click, as an agent starting work does."""
    done = await client.post("/presence", data={"csrf_token": token, "presence": "available"},
                             allow_redirects=False)
    assert done.status == 303


async def test_nothing_to_take_says_so(client: TestClient) -> None:
    token = await log_in(client)
    await _available(client, token)
    response = await client.post("/queue/take", data={"csrf_token": token})
    assert "Nothing for you to take right now." in await response.text()


async def test_an_agent_who_is_not_available_is_told_why_and_given_nothing(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)  # logged in, still offline
    page = await client.post("/queue/take", data={"csrf_token": token})
    assert "set yourself available to take work" in await page.text()
    refused = await client.post("/api/queue/take", headers={"X-CSRF-Token": token})
    assert refused.status == 409
    assert (await refused.json())["refused"] == "offline"
    assert (await _ticket(store, number)).assignee_id is None


async def test_reply_by_email_without_smtp_is_stored_and_says_so(
    client: TestClient, tickets: TicketBook, store: StoreWorker, admin_id: int
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    page = await client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "channel": "email", "body": "We are on it."})
    assert page.status == 200
    text = await page.text()
    assert "outgoing mail is not set up" in text and 'href="/admin/mailboxes#outgoing"' in text
    assert "We are on it." in text
    reply = await store.call(lambda: Message.get(Message.direction == "out"))
    assert (reply.channel, reply.recipients, reply.author_id) == (
        "email", "Maija Meikäläinen <maija@example.fi>", admin_id)
    ticket = await _ticket(store, number)
    assert ticket.first_responded_at is not None  # the first-response clock stopped


async def test_reply_by_sms_goes_to_the_customers_phone(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets, channel="sms")
    token = await log_in(client)
    response = await client.post(f"/api/tickets/{number}/reply",
                                 json={"channel": "sms", "body": "Tulemme huomenna."},
                                 headers={"X-CSRF-Token": token})
    assert response.status == 200
    data = await response.json()
    assert data["recipient"] == "+358401234567"
    assert data["queued_for_sending"] is False
    sms = await store.call(lambda: Message.get(Message.id == data["message_id"]))
    assert (sms.channel, sms.direction, sms.body_text) == ("sms", "out", "Tulemme huomenna.")


async def test_a_note_with_a_mention_names_the_colleague(
    client: TestClient, tickets: TicketBook, store: StoreWorker, accounts: Accounts
) -> None:
    anna = await store.call(accounts.add_user, "Anna", "anna", "agent", "anna-salasana-1")
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    response = await client.post(f"/api/tickets/{number}/note",
                                 json={"body": "@anna can you call her? @nobody"},
                                 headers={"X-CSRF-Token": token})
    data = await response.json()
    assert data["mentioned"] == [anna.id]
    note = await store.call(lambda: Message.get(Message.id == data["message_id"]))
    assert (note.channel, note.direction, note.recipients) == ("note", "internal", "@anna")


async def test_status_priority_and_assignee_change_together(
    client: TestClient, tickets: TicketBook, store: StoreWorker, admin_id: int,
    board: Switchboard, bus: EventBus
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    response = await client.post(f"/tickets/{number}/fields", allow_redirects=False, data={
        "csrf_token": token, "status": "open", "priority": "urgent", "assignee": str(admin_id)})
    assert response.status == 303
    ticket = await _ticket(store, number)
    assert (ticket.status, ticket.priority, ticket.assignee_id) == ("open", "urgent", admin_id)
    await bus.drain()
    item = board.item(f"ticket:{ticket.id}")
    assert item is not None
    assert item.priority.value == "urgent" and item.assignee_id == admin_id
    refused = await client.post(f"/tickets/{number}/fields", data={
        "csrf_token": token, "status": "closed"})
    assert refused.status == 200
    closed = await client.post(f"/api/tickets/{number}/fields", json={"status": "new"},
                               headers={"X-CSRF-Token": token})
    assert closed.status == 409  # closed → new is not a move the lifecycle allows
    assert "cannot become new" in (await closed.json())["error"]


async def test_merge_shows_the_messages_in_the_target_and_closes_the_source(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    source = await open_sample_ticket(tickets, body="first mail")
    target = await open_sample_ticket(tickets, subject="again", body="second mail")
    token = await log_in(client)
    response = await client.post(f"/tickets/{source}/merge", allow_redirects=False,
                                 data={"csrf_token": token, "into": str(target)})
    assert response.headers["Location"] == f"/tickets/{target}?done=saved"
    merged = await _ticket(store, source)
    assert merged.status == "closed" and merged.merged_into_id is not None
    page = await (await client.get(f"/tickets/{target}")).text()
    assert "first mail" in page and "second mail" in page
    itself = await client.post(f"/api/tickets/{target}/merge", json={"into": target},
                               headers={"X-CSRF-Token": token})
    assert itself.status == 400


async def test_reply_by_email_goes_to_the_outbox_when_smtp_is_set(
    client: TestClient, tickets: TicketBook, store: StoreWorker, backend: StoreWebBackend,
    bus: EventBus
) -> None:
    assert isinstance(backend.mail, MailDeskService)
    backend.mail.smtp = SmtpSettings(from_address="tuki@example.fi")
    seen: list[MessageAdded] = []
    bus.subscribe("test", seen.append, [MessageAdded])
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    response = await client.post(f"/api/tickets/{number}/reply", json={
        "channel": "email", "body": "Korjattu."}, headers={"X-CSRF-Token": token})
    data = await response.json()
    assert data["queued_for_sending"] is True
    outgoing = await store.call(lambda: OutgoingMail.get())
    assert (outgoing.recipients, outgoing.state) == ("Maija Meikäläinen <maija@example.fi>",
                                                     "pending")
    assert b"Korjattu." in bytes(outgoing.content)
    await bus.drain()
    assert [m.message_id for m in seen if m.direction == "out"] == [data["message_id"]]
