"""Search from the header in a real browser: "/" focuses the box, Enter searches, the
result opens; a customer is found by a number typed the way people type it."""

from __future__ import annotations

import pytest

from appliance.store.customers import CustomerDirectory
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import AGENT, Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_search_from_the_header_and_open_the_result(site: Site, watched: Watched) -> None:
    directory = CustomerDirectory(site.store.db)
    customer, _ = await site.store.call(directory.find_or_create, "phone", "+358407654321",
                                        name="Kalle <Kauppa> Oy")
    ticket = await site.tickets.open_ticket("email", "Kysymys tilauksesta", customer.id,
                                            message=MessageDraft(
        channel="email", direction="in", sender="kalle@kauppa.example",
        body_text="Laskussa on väärä summa, korjatkaa <b>heti</b>."))
    await site.tickets.change_status(ticket.id, "open")
    await site.tickets.change_status(ticket.id, "resolved")  # found whatever its status
    page = watched.page
    await log_in(page, site, AGENT)
    await page.goto(site.url + "/presence")
    await page.keyboard.press("/")
    assert await page.evaluate("document.activeElement.id") == "search-box"
    await page.keyboard.type("laskun")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{site.url}/search?q=laskun")
    result = page.locator("#ticket-results li").first
    assert await result.locator("mark").all_inner_texts() == ["Laskussa"]
    assert "<b>heti</b>" in await result.locator(".excerpt").inner_text()  # shown, not run
    await result.locator("a").click()
    await page.wait_for_url(f"{site.url}/tickets/{ticket.number}")
    assert await page.locator("h1").inner_text() == f"#{ticket.number} Kysymys tilauksesta"
    await page.click("#note-body")
    await page.keyboard.type("1/2 kpl")  # "/" in a field is a slash, not the search key
    assert await page.input_value("#note-body") == "1/2 kpl"
    assert await page.evaluate("document.activeElement.id") == "note-body"

    await page.fill("#search-box", "040 765 4321")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#customer-results")
    assert await page.locator("#customer-results a").inner_text() == "Kalle <Kauppa> Oy"
    await page.fill("#search-box", '"); DROP TABLE ticket; -- 😀')
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#search-empty")
    assert "Nothing found" in await page.locator("#search-empty").inner_text()
    assert watched.dialogs == [] and watched.errors == []
