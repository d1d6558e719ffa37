"""Saved replies in a real browser: an agent edits one, types its shortcut on a ticket and
sees it filled in, sends, and the use is counted; the picker with and without script."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.store.models import Customer
from appliance.store.saved_replies import list_replies
from tests.web.browser.conftest import AGENT, Site, Watched, log_in
from tests.web.conftest import open_sample_ticket

pytestmark = pytest.mark.asyncio(loop_scope="session")

EDITED = "Hello {customer_name}, thanks! Ticket {ticket_number}. Open {opening_hours}. {agent_name}"


async def _english_ticket(site: Site, subject: str) -> int:
    number = await open_sample_ticket(site.tickets, subject=subject, name="Mary Major")
    await site.store.call(lambda: Customer.update(language="en").execute())
    await site.bus.drain()
    return number


async def _uses(site: Site, shortcut: str) -> int:
    rows = await site.store.call(list_replies)
    return next(r.usage_count for r in rows if r.shortcut == shortcut)


async def test_edit_a_reply_then_insert_it_by_its_shortcut_and_send(
    site: Site, watched: Watched
) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    await page.click("header nav >> text=Saved replies")
    await page.click("#saved-replies >> text=Thanks")
    await page.fill("#reply-text", EDITED)
    await page.click("#reply-edit button[type=submit]")
    await page.wait_for_selector("#reply-saved")
    assert await page.input_value("#reply-text") == EDITED
    assert "Anna Agent" in await page.locator("main").inner_text()

    number = await _english_ticket(site, "Where is my order?")
    await page.goto(f"{site.url}/tickets/{number}")
    await page.click("#reply-body")
    await page.keyboard.type("Hi,\n#thanks ")
    expected = (f"Hi,\nHello Mary Major, thanks! Ticket {number}. Open Mon–Fri 08:00–16:00. "
                "Anna Agent")
    assert await page.input_value("#reply-body") == expected
    await page.keyboard.type("See you.")  # the caret stays after the inserted text
    assert await page.input_value("#reply-body") == expected + "See you."
    assert await page.input_value("#reply-saved-ids") != ""
    assert await _uses(site, "#thanks") == 0  # inserted, not sent yet

    await page.click("#reply-form button[type=submit]")
    await page.wait_for_selector("text=The reply is stored on the ticket")
    assert await _uses(site, "#thanks") == 1
    await page.goto(site.url + "/replies")
    row = page.locator("#saved-replies tr", has_text="#thanks")
    assert await row.locator("td.uses").inner_text() == "1"
    assert watched.dialogs == [] and watched.errors == []


async def test_an_unknown_shortcut_and_a_longer_word_stay_as_typed(
    site: Site, watched: Watched
) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    number = await _english_ticket(site, "Invoice question")
    await page.goto(f"{site.url}/tickets/{number}")
    await page.click("#reply-body")
    await page.keyboard.type("#nosuch #thanksalot and #kiitos ")
    value = await page.input_value("#reply-body")
    assert value.startswith("#nosuch #thanksalot and Kiitos viestistäsi.")
    assert watched.errors == []


async def test_the_picker_inserts_at_the_caret(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    number = await _english_ticket(site, "Printer again")
    await page.goto(f"{site.url}/tickets/{number}")
    await page.fill("#reply-body", "Dear customer,")
    await page.select_option("#saved-reply", label="Solved (#solved)")
    await page.click("#saved-reply-insert")
    assert await page.input_value("#reply-body") == (
        "Dear customer,\nWe have fixed this. Please let us know if anything is still wrong.")
    assert page.url == f"{site.url}/tickets/{number}"  # no round trip with the script
    assert watched.errors == []


async def test_without_script_the_picker_posts_and_keeps_the_draft(
    site: Site, browser: Any
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    try:
        await log_in(page, site, AGENT)
        number = await _english_ticket(site, "No script here")
        await page.goto(f"{site.url}/tickets/{number}")
        await page.fill("#reply-body", "Typed first.")
        await page.select_option("#saved-reply", label="More details (#details)")
        await page.click("#saved-reply-insert")
        await page.wait_for_url(f"{site.url}/tickets/{number}/reply/insert")
        assert await page.input_value("#reply-body") == (
            "Typed first.\nCould you tell us a little more, e.g. when this happened and what "
            "you saw?")
        before = await _uses(site, "#details")
        await page.click("#reply-form button.primary")
        await page.wait_for_selector("text=The reply is stored on the ticket")
        assert await _uses(site, "#details") == before + 1
    finally:
        await context.close()


async def test_hostile_text_goes_into_the_reply_box_as_text(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    await page.goto(site.url + "/replies")
    await page.fill("#reply-title", "<b>Hostile</b>")
    await page.fill("#reply-shortcut", "#hostile")
    await page.fill("#reply-text", '<img src=x onerror=alert(1)> {customer_name} {0.__class__}')
    await page.click("#reply-new button[type=submit]")
    await page.wait_for_selector("#reply-saved")
    assert await page.locator("#reply-unknown code").all_inner_texts() == ["{0.__class__}"]
    number = await open_sample_ticket(site.tickets, subject="Hostile name")
    await site.store.call(lambda: Customer.update(name='"><script>alert(2)</script>',
                                                  language="en").execute())
    await page.goto(f"{site.url}/tickets/{number}")
    await page.click("#reply-body")
    await page.keyboard.type("#hostile ")
    assert await page.input_value("#reply-body") == (
        '<img src=x onerror=alert(1)> "><script>alert(2)</script> {0.__class__}')
    assert await page.locator("main img, main script").count() == 0
    assert watched.dialogs == [] and watched.errors == []
