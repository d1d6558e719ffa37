"""Ticket and customer lists from the store: any status, by assignee and customer, paged;
the queue refuses statuses it never holds instead of showing open work."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket
from appliance.store.ticket_lists import PAGE_ROWS
from appliance.store.tickets import TicketBook
from tests.web.conftest import log_in, open_sample_ticket


async def _many(tickets: TicketBook, count: int, customer_id: int | None = None) -> list[int]:
    numbers = []
    for i in range(count):
        ticket = await tickets.open_ticket("email", f"Asia {i}", customer_id)
        numbers.append(int(ticket.number))
    return numbers


async def test_closed_and_pending_tickets_are_listed(client: TestClient, tickets: TicketBook,
                                                     admin_id: int) -> None:
    closed, pending, fresh = await _many(tickets, 3)
    for number, path in ((closed, ("open", "resolved", "closed")), (pending, ("open", "pending"))):
        ticket_id = await tickets.worker.call(
            lambda n=number: Ticket.get(Ticket.number == n).id)
        for status in path:
            await tickets.change_status(ticket_id, status)
    await tickets.assign(ticket_id, admin_id)
    await log_in(client)
    for query, expected in (("status=closed", [closed]), ("status=pending", [pending]),
                            ("status=new", [fresh]), ("", [fresh, pending, closed]),
                            (f"assignee={admin_id}", [pending]), ("assignee=me", [pending]),
                            ("assignee=none", [fresh, closed])):
        found = await (await client.get(f"/api/tickets?{query}")).json()
        assert [t["number"] for t in found["tickets"]] == expected, query
    page = await (await client.get("/tickets?status=closed")).text()
    assert f'href="/tickets/{closed}"' in page and f'href="/tickets/{fresh}"' not in page


async def test_tickets_of_one_customer_page_by_page(client: TestClient,
                                                    tickets: TicketBook) -> None:
    directory = CustomerDirectory(tickets.worker.db)
    customer, _ = await tickets.worker.call(directory.find_or_create, "email", "a@b.fi",
                                            name="Asiakas")
    await _many(tickets, 2)
    mine = await _many(tickets, PAGE_ROWS + 3, customer.id)
    await log_in(client)
    first = await (await client.get(f"/api/tickets?customer={customer.id}")).json()
    second = await (await client.get(f"/api/tickets?customer={customer.id}&page=2")).json()
    assert (first["total"], first["pages"], len(first["tickets"])) == (PAGE_ROWS + 3, 2, PAGE_ROWS)
    shown = [t["number"] for t in first["tickets"] + second["tickets"]]
    assert shown == sorted(mine, reverse=True)
    page = await (await client.get(f"/tickets?customer={customer.id}")).text()
    assert f'href="/tickets?customer={customer.id}&amp;page=2"' in page
    past_the_end = await (await client.get("/api/tickets?page=99")).json()
    assert past_the_end["tickets"] == [] and past_the_end["total"] == PAGE_ROWS + 5


async def test_wrong_filters_are_named(client: TestClient) -> None:
    await log_in(client)
    for query, words in (("status=sleeping", "status must be one of"),
                         ("assignee=bob", "assignee must be"), ("customer=x1", "customer must be"),
                         ("page=0", "page must be"), ("page=" + "9" * 40, "page must be")):
        response = await client.get(f"/api/tickets?{query}")
        assert response.status == 400, query
        assert words in (await response.json())["error"]
        page = await client.get(f"/tickets?{query}")
        assert page.status == 400 and words in await page.text()


async def test_the_customer_list(client: TestClient, tickets: TicketBook) -> None:
    await open_sample_ticket(tickets)
    directory = CustomerDirectory(tickets.worker.db)
    await tickets.worker.call(directory.find_or_create, "phone", "+358501112222",
                              name="<Bertta>")
    await log_in(client)
    found = await (await client.get("/api/customers")).json()
    assert [(c["name"], c["tickets"]) for c in found["customers"]] == [
        ("<Bertta>", 0), ("Maija Meikäläinen", 1)]
    assert found["customers"][1]["contacts"] == ["maija@example.fi", "+358401234567"]
    page = await (await client.get("/customers")).text()
    assert "&lt;Bertta&gt;" in page and "<Bertta>" not in page
    erased = await tickets.worker.call(lambda: Customer.get(Customer.name == "<Bertta>").id)
    await tickets.worker.call(lambda: Customer.update(erased_at=Customer.created_at)
                              .where(Customer.id == erased).execute())
    assert (await (await client.get("/api/customers")).json())["total"] == 1


async def test_the_queue_does_not_pass_pending_off_as_open(client: TestClient,
                                                           tickets: TicketBook) -> None:
    await _many(tickets, 1)
    await log_in(client)
    for status in ("pending", "resolved", "closed"):
        refused = await client.get(f"/api/queue?status={status}")
        assert refused.status == 400
        assert f"/api/tickets?status={status}" in (await refused.json())["error"]
        page = await client.get(f"/?status={status}", allow_redirects=False)
        assert page.status == 303 and page.headers["Location"] == f"/tickets?status={status}"
    assert (await client.get("/api/queue?status=new")).status == 200
