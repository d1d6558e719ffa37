"""Customer page and merge; quarantine list, raw view and replay (admins)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.customers import CustomerDirectory
from appliance.store.models import ContactPoint, Customer, Quarantine, Ticket
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket

RAW_MAIL = (b"From: Pekka <pekka@example.fi>\r\nTo: tuki@example.fi\r\n"
            b"Subject: <script>alert(1)</script> Lasku\r\nMessage-ID: <q1@example.fi>\r\n"
            b"Date: Mon, 05 Jan 2026 08:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"\r\n" + "Missä lasku?".encode() + b"\r\n")


async def test_customer_page_edit_and_merge(
    client: TestClient, tickets: TicketBook, store: StoreWorker, admin_id: int
) -> None:
    await open_sample_ticket(tickets)
    directory = CustomerDirectory(store.db)
    other = await store.call(directory.find_or_create_by_phone, "0409876543", name="M. M.")
    await tickets.open_ticket("call", "missed call", other.id)
    keep = await store.call(lambda: Customer.get(Customer.name == "Maija Meikäläinen"))
    token = await log_in(client)
    page = await client.get(f"/customers/{keep.id}")
    assert "Printer is broken" in await page.text()
    saved = await client.post(f"/customers/{keep.id}", allow_redirects=False, data={
        "csrf_token": token, "name": "Maija M.", "vip": "on", "account_manager": str(admin_id),
        "notes": "prefers SMS"})
    assert saved.status == 303
    merged = await client.post(f"/api/customers/{keep.id}/merge", json={"other": other.id},
                               headers={"X-CSRF-Token": token})
    assert merged.status == 200
    data = await (await client.get(f"/api/customers/{keep.id}")).json()
    assert (data["name"], data["vip"], data["account_manager_id"]) == ("Maija M.", True,
                                                                      admin_id)
    assert {c["value"] for c in data["contacts"]} == {"maija@example.fi", "+358401234567",
                                                      "+358409876543"}
    assert {t["subject"] for t in data["tickets"]} == {"Printer is broken", "missed call"}
    assert (await client.get(f"/customers/{other.id}")).status == 404
    taken = await client.post(f"/api/customers/{keep.id}/contacts",
                              json={"kind": "phone", "value": "+358401234567"},
                              headers={"X-CSRF-Token": token})
    assert taken.status == 200  # already hers: nothing changes
    assert await store.call(lambda: ContactPoint.select().count()) == 3


async def test_quarantine_shows_raw_escaped_and_replays_once(
    client: TestClient, store: StoreWorker, clock: ManualClock
) -> None:
    row = await store.call(lambda: Quarantine.create(
        source="mail:support", reason="parser bug <b>", raw=RAW_MAIL, received_at=clock.now()))
    sms = await store.call(lambda: Quarantine.create(
        source="sms:gsm0", reason="bad PDU", raw=b"0791", received_at=clock.now()))
    token = await log_in(client)
    listing = await (await client.get("/quarantine")).text()
    assert "parser bug &lt;b&gt;" in listing
    raw = await (await client.get(f"/quarantine/{row.id}")).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Lasku" in raw and "<script>alert" not in raw
    download = await client.get(f"/quarantine/{row.id}?download=1")
    assert download.content_type == "application/octet-stream"
    assert await download.read() == RAW_MAIL
    replayed = await client.post(f"/api/quarantine/{row.id}/replay",
                                 headers={"X-CSRF-Token": token})
    assert (await replayed.json())["outcome"] == "created"
    again = await client.post(f"/api/quarantine/{row.id}/replay",
                              headers={"X-CSRF-Token": token})
    assert again.status == 409
    assert "already replayed" in (await again.json())["error"]
    assert await store.call(lambda: Ticket.select().count()) == 1
    not_mail = await client.post(f"/api/quarantine/{sms.id}/replay",
                                 headers={"X-CSRF-Token": token})
    assert not_mail.status == 409
