"""The queue page lists the open work, first to take at the top, every value escaped."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.customers import CustomerDirectory
from appliance.store.models import database_proxy
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in

HOSTILE_SUBJECT = "<script>alert('x')</script> & more"
HOSTILE_NAME = '"><img src=x onerror=alert(1)>'


async def _open_tickets(store: StoreWorker, clock: ManualClock, book: TicketBook) -> None:
    directory = CustomerDirectory(database_proxy.obj)
    customer, _ = await store.call(directory.find_or_create, "email", "x@example.fi",
                                   name=HOSTILE_NAME)
    await book.open_ticket("email", "low one", priority="low")
    clock.advance(60)
    await book.open_ticket("email", HOSTILE_SUBJECT, customer_id=customer.id, priority="normal")
    clock.advance(60)
    urgent = await book.open_ticket("sms", "urgent one", priority="urgent")
    done = await book.open_ticket("email", "already done")
    await book.change_status(done.id, "resolved")
    await book.change_status(urgent.id, "open")


async def test_open_work_in_queue_order_with_values_escaped(
    client: TestClient, store: StoreWorker, clock: ManualClock, tickets: TicketBook
) -> None:
    await _open_tickets(store, clock, tickets)
    await log_in(client)
    page = await (await client.get("/")).text()
    assert HOSTILE_SUBJECT not in page and "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in page
    assert HOSTILE_NAME not in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "already done" not in page
    # times on the office's wall clock: ManualClock starts 2026-01-05 08:00 UTC = 10:00 EET
    assert 'title="2026-01-05 10:02" data-relative>' in page  # exact on hover
    subjects = re.findall(r'">(urgent one|low one|&lt;script&gt;[^<]*)</a>', page)
    assert [s[:6] for s in subjects] == ["urgent", "&lt;sc", "low on"]


async def test_an_empty_queue_says_so(client: TestClient) -> None:
    await log_in(client)
    assert "Nothing waiting." in await (await client.get("/")).text()


async def test_stats_api_reports_the_store_and_the_queue(
    client: TestClient, store: StoreWorker, clock: ManualClock, tickets: TicketBook
) -> None:
    await _open_tickets(store, clock, tickets)
    await log_in(client)
    response = await client.get("/api/stats")
    assert response.status == 200
    assert response.content_type == "application/json"
    figures = await response.json()
    assert figures["open_work_items"] == 3
    assert figures["tickets"]["new"] == 2
    assert figures["tickets"]["open"] == 1
    assert figures["tickets"]["resolved"] == 1
    assert figures["agents"]["offline"] == 1
    assert figures["waiting_calls"] == 0
