"""Every save answers with a confirmation on the page it returns to, in the person's language;
the address names the confirmation by a code, so no text from the address reaches the page."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.tickets import TicketBook
from tests.web.conftest import log_in, open_sample_ticket

FLASH = '<p class="flash" role="status" id="flash">'


async def _saved_page(client: TestClient, path: str, form: dict[str, str]) -> str:
    answer = await client.post(path, data=form, allow_redirects=False)
    assert answer.status == 303, await answer.text()
    assert "done=saved" in answer.headers["Location"]
    return await (await client.get(answer.headers["Location"])).text()


async def test_ticket_customer_and_agent_saves_say_saved(
    client: TestClient, tickets: TicketBook
) -> None:
    token = await log_in(client)
    number = await open_sample_ticket(tickets)
    page = await _saved_page(client, f"/tickets/{number}/fields", {
        "csrf_token": token, "status": "open", "priority": "high", "assignee": ""})
    assert f"{FLASH}Saved.</p>" in page
    page = await _saved_page(client, f"/tickets/{number}/note", {
        "csrf_token": token, "body": "Soitin asiakkaalle."})
    assert f"{FLASH}Saved.</p>" in page
    page = await _saved_page(client, "/admin/agents", {
        "csrf_token": token, "name": "Pekka Uusi", "login": "pekka", "role": "agent",
        "password": "pekan-salasana-1"})
    assert f"{FLASH}Saved.</p>" in page
    await client.post("/language", data={"csrf_token": token, "language": "fi"})
    page = await _saved_page(client, "/customers/1", {
        "csrf_token": token, "name": "Maija", "vip": "on", "account_manager": "", "notes": ""})
    assert f"{FLASH}Tallennettu.</p>" in page


async def test_no_confirmation_without_a_save_and_none_from_the_address(
    client: TestClient, tickets: TicketBook
) -> None:
    await log_in(client)
    number = await open_sample_ticket(tickets)
    for query in ("", "?done=", "?done=%3Cscript%3Ealert(1)%3C/script%3E", "?done=deleted"):
        page = await (await client.get(f"/tickets/{number}{query}")).text()
        assert 'id="flash"' not in page and "<script>alert" not in page, query
