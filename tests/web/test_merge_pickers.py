"""Merging by search: the words find the other ticket or customer, and its own button merges."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket
from appliance.store.tickets import TicketBook
from tests.web.conftest import csrf_token_in, log_in, open_sample_ticket


async def test_find_the_ticket_to_merge_into(client: TestClient, tickets: TicketBook) -> None:
    source = await open_sample_ticket(tickets, subject="Tulostin ei tulosta")
    target = await open_sample_ticket(tickets, subject="Tulostimen <väri> loppui",
                                      body="Tulostimesta loppui väri.")
    await log_in(client)
    ticket_page = await (await client.get(f"/tickets/{source}")).text()
    assert f'action="/tickets/{source}/merge" class="stack" id="merge-find"' in ticket_page
    page = await (await client.get(f"/tickets/{source}/merge", params={"q": "tulostin"})).text()
    assert f'name="into" value="{target}"' in page
    assert f'name="into" value="{source}"' not in page  # never into itself
    assert "&lt;väri&gt;" in page and "<väri>" not in page
    response = await client.post(f"/tickets/{source}/merge", data={
        "csrf_token": csrf_token_in(page), "into": str(target)}, allow_redirects=False)
    assert response.status == 303
    merged = await tickets.worker.call(lambda: Ticket.get(Ticket.number == source))
    assert merged.status == "closed" and merged.merged_into_id is not None
    for typed in ("", "😀", '"; DROP TABLE ticket; --', "x" * 2_000):
        answer = await client.get(f"/tickets/{source}/merge", params={"q": typed})
        assert answer.status == 200 and 'id="search-empty"' in await answer.text()


async def test_find_the_customer_to_move_here(client: TestClient, tickets: TicketBook) -> None:
    await open_sample_ticket(tickets)
    directory = CustomerDirectory(tickets.worker.db)
    other, _ = await tickets.worker.call(directory.find_or_create, "phone", "+358509876543",
                                         name="Maija M.")
    keep = await tickets.worker.call(
        lambda: Customer.get(Customer.name == "Maija Meikäläinen").id)
    await log_in(client)
    page = await (await client.get(f"/customers/{keep}/merge",
                                   params={"q": "050 987 6543"})).text()
    assert f'name="other" value="{other.id}"' in page
    assert f'name="other" value="{keep}"' not in page
    response = await client.post(f"/customers/{keep}/merge", data={
        "csrf_token": csrf_token_in(page), "other": str(other.id)}, allow_redirects=False)
    assert response.status == 303
    assert await tickets.worker.call(lambda: Customer.get_or_none(Customer.id == other.id)) is None
