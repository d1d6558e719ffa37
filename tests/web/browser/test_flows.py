"""The main flows in a real browser: log in, take the next item, reply, note, presence,
a new ticket appearing live, the wallboard, and the queue on a phone screen."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.spine.events import CallOffered
from appliance.store.models import Message
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import AGENT, Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _ticket(site: Site, subject: str, body: str = "Hello") -> int:
    ticket = await site.tickets.open_ticket("email", subject, message=MessageDraft(
        channel="email", direction="in", body_text=body, sender="Asiakas <a@example.fi>"))
    await site.bus.drain()
    return int(ticket.number)


async def test_log_in_take_the_next_item_reply_and_note(site: Site, watched: Watched) -> None:
    page = watched.page
    number = await _ticket(site, "Cannot log in to the portal")
    await log_in(page, site)
    assert await page.locator("#queue-rows tr.first").inner_text() != ""
    await page.click("#take-next")  # logged in but still offline: nothing is handed over
    await page.wait_for_selector("text=set yourself available to take work")
    await page.goto(site.url + "/presence")
    await page.click("#presence-available")
    await page.wait_for_selector("#my-presence >> text=available")
    await page.goto(site.url + "/")
    await page.click("#take-next")
    await page.wait_for_url(f"{site.url}/tickets/*")
    assert await page.locator("h1").inner_text() == f"#{number} Cannot log in to the portal"
    await page.click("#saved-reply-insert")  # the first saved reply in the box's language, fi
    assert "Kiitos viestistäsi" in await page.input_value("#reply-body")
    await page.click("#reply-form button[type=submit]")
    await page.wait_for_selector("text=The reply is stored on the ticket")
    await page.fill("#note-body", "@anna please check the account")
    await page.click("#note-form button[type=submit]")
    await page.wait_for_selector("article.note >> text=@anna please check the account")
    kinds = await site.store.call(lambda: [m.channel for m in Message.select()])
    assert kinds.count("note") == 1
    assert watched.dialogs == [] and watched.errors == []


async def test_presence_with_one_click(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    await page.goto(site.url + "/presence")
    await page.click("#presence-available")
    await page.wait_for_selector("#my-presence >> text=available")
    state = site.board.agent(site.agent_id)
    assert state is not None and state.presence.value == "available"
    await page.click("#presence-away")
    await page.wait_for_selector("#my-presence >> text=away")
    assert watched.errors == []


async def test_a_new_ticket_appears_live(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site)
    await page.wait_for_selector("body[data-live-ready='1']")
    await _ticket(site, "Arrived while the page was open")
    await page.wait_for_selector("#queue-rows >> text=Arrived while the page was open")
    assert watched.errors == []


async def test_the_wallboard_shows_waiting_callers_live(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site)
    await page.goto(site.url + "/wallboard")
    await page.wait_for_selector("body[data-live-ready='1']")
    assert await page.locator("#wb-waiting").inner_text() == "0"
    assert await page.locator("figure.chart svg polyline").count() == 1
    site.bus.publish(CallOffered(at=site.tickets.records.clock.now(), call_id="wb1",
                                 line="gsm0", number="+358401234567"))
    await page.wait_for_selector("#wb-waiting >> text=1")
    assert watched.errors == []


async def test_the_queue_works_on_a_phone_screen(site: Site, watched: Watched) -> None:
    page: Any = watched.page
    await page.set_viewport_size({"width": 375, "height": 740})
    await log_in(page, site)
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1  # nothing wider than the screen
    assert await page.locator("#take-next").is_visible()


async def test_switching_to_finnish_sticks_to_the_account(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site, AGENT)
    await page.click("form.lang button")
    await page.wait_for_selector("#take-next >> text=Ota seuraava")
    await page.goto(site.url + "/presence")
    assert await page.locator("h1").inner_text() == "Tavoitettavuus"  # not "Tila" (status)
    await page.click("form.lang button")  # and back, for the other tests
    await page.wait_for_selector("h1 >> text=Presence")
    assert watched.errors == []
