"""The queue and a ticket with the keyboard alone: log in, set oneself available, take the
next item, reply, set the status and open a ticket from the queue, with Tab, typing and
Enter only, each focused control showing its focus."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.store.models import Message, Ticket
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import AGENT, Site, Watched

pytestmark = pytest.mark.asyncio(loop_scope="session")

MOST_TABS = 80  # more than every control of the longest page here


async def _ticket(site: Site, subject: str) -> int:
    ticket = await site.tickets.open_ticket("email", subject, message=MessageDraft(
        channel="email", direction="in", body_text="Hello", sender="Asiakas <a@example.fi>"))
    await site.bus.drain()
    return int(ticket.number)


async def _focused(page: Any) -> str:
    described: str = await page.evaluate("""() => {
      const el = document.activeElement;
      return el ? el.outerHTML.slice(0, 100) : "nothing"; }""")
    return described


async def tab_to(page: Any, selector: str) -> int:
    """Press Tab until the control `selector` has the focus; how many presses it took."""
    passed = []
    for presses in range(1, MOST_TABS + 1):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
        passed.append(await _focused(page))
    raise AssertionError(f"Tab never reached {selector}; it went through:\n" + "\n".join(passed))


async def assert_focus_shows(page: Any) -> None:
    """The focused control is drawn with a visible focus ring."""
    ring = await page.evaluate("""() => {
      const el = document.activeElement, style = getComputedStyle(el);
      return {visible: el.matches(":focus-visible"), outline: style.outlineStyle,
              width: parseFloat(style.outlineWidth), shadow: style.boxShadow}; }""")
    assert ring["visible"], f"no :focus-visible on {await _focused(page)}"
    assert (ring["outline"] != "none" and ring["width"] > 0) or ring["shadow"] != "none", ring


async def _press_enter_and_wait(page: Any, url: str) -> None:
    async with page.expect_navigation(url=url):
        await page.keyboard.press("Enter")


async def _log_in_by_keyboard(page: Any, site: Site) -> None:
    """The login field has the focus from the start (autofocus). The browser gives it that
    focus when it next draws the page, which on a busy machine can come after the load event:
    typing waits for it, or the first letters go nowhere."""
    await page.goto(site.url + "/login")
    await page.wait_for_function("document.activeElement?.name === 'login'")
    await page.keyboard.type(AGENT[0])
    await page.keyboard.press("Tab")
    await page.keyboard.type(AGENT[1])
    await _press_enter_and_wait(page, site.url + "/")


async def test_queue_and_ticket_with_the_keyboard_alone(site: Site, watched: Watched) -> None:
    page = watched.page
    number = await _ticket(site, "The keyboard user's question")
    await _log_in_by_keyboard(page, site)

    await tab_to(page, "header nav a[href='/presence']")
    await assert_focus_shows(page)
    await _press_enter_and_wait(page, site.url + "/presence")
    await tab_to(page, "#presence-available")
    await assert_focus_shows(page)
    await _press_enter_and_wait(page, site.url + "/presence")
    await page.wait_for_selector("#my-presence >> text=available")

    await tab_to(page, "header nav a[href='/']")
    await _press_enter_and_wait(page, site.url + "/")
    # the first Tab reaches the link past the header's menu; from there one Tab to "take next"
    assert await tab_to(page, "a.skip-link") == 1
    await assert_focus_shows(page)
    await page.keyboard.press("Enter")
    assert await tab_to(page, "#take-next") == 1
    await assert_focus_shows(page)
    await _press_enter_and_wait(page, f"{site.url}/tickets/{number}")

    await tab_to(page, "#reply-body")
    await assert_focus_shows(page)
    await page.keyboard.type("Thank you, typed without a mouse.")
    await tab_to(page, "#reply-form button[type=submit]")
    await assert_focus_shows(page)
    await _press_enter_and_wait(page, f"{site.url}/tickets/{number}**")
    await page.wait_for_selector("text=The reply is stored on the ticket")
    replies = await site.store.call(lambda: [m.body_text for m in Message.select().where(
        Message.direction == "out")])
    assert replies == ["Thank you, typed without a mouse."]

    await tab_to(page, "#fields-form select[name=status]")
    await assert_focus_shows(page)
    await page.keyboard.type("resolved")  # a closed list box chooses by typing
    await tab_to(page, "#fields-form button[type=submit]")
    await _press_enter_and_wait(page, f"{site.url}/tickets/{number}**")
    status = await site.store.call(lambda: Ticket.get(Ticket.number == number).status)
    assert status == "resolved"

    other = await _ticket(site, "Opened from the queue by keyboard")
    await tab_to(page, "header nav a[href='/']")
    await _press_enter_and_wait(page, site.url + "/")
    await tab_to(page, f"#queue-rows a[href='/tickets/{other}']")
    await assert_focus_shows(page)
    await _press_enter_and_wait(page, f"{site.url}/tickets/{other}")
    assert watched.dialogs == [] and watched.errors == []


async def test_a_live_refresh_keeps_the_focused_queue_link(site: Site, watched: Watched) -> None:
    page = watched.page
    number = await _ticket(site, "Focused while the queue refreshes")
    await _log_in_by_keyboard(page, site)
    await page.wait_for_selector("body[data-live-ready='1']")
    link = f"#queue-rows a[href='/tickets/{number}']"
    await tab_to(page, link)
    await _ticket(site, "Arrives while a link has the focus")
    await page.wait_for_selector("#queue-rows >> text=Arrives while a link has the focus")
    assert await page.evaluate("s => document.activeElement.matches(s)", link)
    await _press_enter_and_wait(page, f"{site.url}/tickets/{number}")
    assert watched.errors == []
