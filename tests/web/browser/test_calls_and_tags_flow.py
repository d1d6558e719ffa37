"""Calls as work and tags in Chromium: a waiting caller's number, customer and growing wait on
the queue; the call answered and ended, the agent writes it down and it is in the customer's
history; a ticket tagged and found again by its tag."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from appliance.presence.states import Activity, AgentState
from appliance.spine.events import CallAnswered, CallEnded, CallOffered
from appliance.store.call_log import CallLog
from appliance.store.customers import CustomerDirectory
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

NUMBER = "+358405550101"
WAIT_S = 10.0


def _in_wrap_up(state: AgentState, now: datetime) -> AgentState:
    return replace(state, activity=Activity.WRAP_UP, wrap_up_until=now + timedelta(minutes=5))


async def _settled(site: Site) -> None:
    await asyncio.wait_for(site.bus.drain(), WAIT_S)
    await asyncio.wait_for(site.board.caught_up(), WAIT_S)


async def test_a_call_waits_is_answered_and_written_down(site: Site, watched: Watched) -> None:
    CallLog(site.store.db, CustomerDirectory(site.store.db), worker=site.store).attach(site.bus)
    directory = CustomerDirectory(site.store.db)
    customer = await site.store.call(directory.find_or_create_by_phone, "040 555 0101",
                                     name="Matti <Meikäläinen>")
    page = watched.page
    await log_in(page, site)
    await page.wait_for_selector("body[data-live-ready='1'][data-connected='1']")  # listening
    site.bus.publish(CallOffered(at=datetime.now(UTC) - timedelta(seconds=5), call_id="b1",
                                 line="gsm0", number=NUMBER))
    row = page.locator("#queue-rows tr", has_text="Caller +358 40 5550101")
    await row.wait_for()  # the live refresh brings it, no reload
    link = row.locator(f"a[href='/customers/{customer.id}']")
    assert await link.inner_text() == "Matti <Meikäläinen>"
    waited = row.locator("time.waited")
    first = await waited.inner_text()
    assert re.fullmatch(r"0:\d\d", first)
    await page.wait_for_function(
        "first => document.querySelector('time.waited').textContent !== first", arg=first)

    site.bus.publish(CallAnswered(at=datetime.now(UTC), call_id="b1", wait_seconds=8.0,
                                  agent_id=site.admin_id))
    await row.wait_for(state="detached")  # taken: no longer waiting
    site.board.change_presence(site.admin_id, _in_wrap_up, source="test")
    site.bus.publish(CallEnded(at=datetime.now(UTC), call_id="b1", outcome="answered",
                               wait_seconds=8.0, talk_seconds=60.0))
    await _settled(site)
    item = page.locator("#after-calls a", has_text="Call with Matti <Meikäläinen>")
    await item.wait_for()  # the page learns of it by itself
    await item.click()
    await page.fill("#after-call-notes", "Sovittiin hyvityslasku. <b>Ei lisätoimia</b>.")
    await page.check("input[name=outcome][value=solved]")
    await page.click("#after-call-form button[type=submit]")
    await page.wait_for_url(f"{site.url}/customers/{customer.id}")
    entry = page.locator("article.entry.after_call")
    assert await entry.locator("pre.body").inner_text() == (
        "Sovittiin hyvityslasku. <b>Ei lisätoimia</b>.")
    assert await entry.locator(".outcome").inner_text() == "solved"
    assert site.board.agent(site.admin_id).activity_at(datetime.now(UTC)) is Activity.IDLE
    await page.goto(site.url + "/")
    assert await page.locator("#after-calls").count() == 0
    assert watched.errors == [] and watched.dialogs == []


async def test_tag_a_ticket_and_filter_by_it(site: Site, watched: Watched) -> None:
    tagged = await site.tickets.open_ticket("email", "Lasku väärin", message=MessageDraft(
        channel="email", direction="in", body_text="ALV väärin", sender="a@b.fi"))
    other = await site.tickets.open_ticket("email", "Tulostin", message=MessageDraft(
        channel="email", direction="in", body_text="Ei tulosta", sender="c@d.fi"))
    page = watched.page
    await log_in(page, site)
    await page.goto(f"{site.url}/tickets/{tagged.number}")
    await page.fill("#tag-input", "  Laskutus  ")
    await page.click("#tag-form button[type=submit]")
    await page.locator("#tag-list a.tag", has_text="laskutus").wait_for()
    await page.fill("#tag-input", "<img src=x onerror=alert(1)>")
    await page.click("#tag-form button[type=submit]")
    await page.locator("#tag-list a.tag", has_text="<img src=x onerror=alert(1)>").wait_for()

    await page.goto(site.url + "/tickets")
    await page.fill("#tag-filter", "LASKUTUS")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url(re.compile(r".*/tickets\?.*tag=LASKUTUS.*"))
    list_rows = page.locator("#ticket-list tbody tr")
    assert await list_rows.count() == 1
    assert await list_rows.locator(f"a[href='/tickets/{tagged.number}']").count() == 2
    assert await page.locator(f"a[href='/tickets/{other.number}']").count() == 0
    assert await page.locator("#tag-filter").input_value() == "laskutus"
    # the tag is a link to its own list, and the tag can be taken off again
    await page.goto(f"{site.url}/tickets/{tagged.number}")
    await page.click("#tag-list li:has(a.tag:text-is('laskutus')) button")
    await page.locator("#tag-list a.tag", has_text="laskutus").wait_for(state="detached")
    assert watched.errors == [] and watched.dialogs == []
