"""The look in Chromium at phone (390 px) and desk (1280 px) width, judged by the page's own
layout metrics: nothing wider than the window, no text cut off by a box that hides its
overflow, no number or ordinary word broken over lines; the presence switch in the header;
a confirmation after a save."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.config.aspa_toml import load_config
from appliance.presence.states import AgentState, Presence
from appliance.presence.transitions import set_presence
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, AGENT, ARTIFACTS, WAIT_MS, Site, log_in
from tests.web.conftest import open_sample_ticket
from tests.web.settings_files import CONFIG

pytestmark = pytest.mark.asyncio(loop_scope="session")

WIDTHS = (390, 1280)
LONG_SUBJECT = ("Laskutusjärjestelmän kuukausiraportti ei lähde asiakkaalle "
                "vaikka tilausvahvistus on hyväksytty 2026-03-10 klo 08:15")

# Runs in the page: a list of what is wrong with its layout, each named so a person can find it.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    problems.push(`the page is ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    // clipped on purpose to nothing: text for screen readers alone (the switch's legend)
    if (style.display === "none" || style.clipPath !== "none" || !el.textContent.trim()) continue;
    if (["hidden", "clip"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`text cut off in ${name(el)}: ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
    if (box.right > window.innerWidth + 1 && !el.closest(".scroll")) {
      problems.push(`${name(el)} reaches ${Math.round(box.right)} px, past the window`);
    }
  }
  const lines = (node) => {
    range.selectNodeContents(node);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0)
                   .map((r) => Math.round(r.top))).size;
  };
  // A number (ticket number, time of day, amount) or a word of ordinary length must sit on
  // one line: all its character boxes share one top. (A date in running text may wrap at
  // its hyphens, as a compound word does; the box's own times and dates may not.)
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const token = /#?\\d[\\d:.,]*\\d|#\\d|[\\p{L}\\d]{2,20}/gu;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("script, style, option")) continue;
    for (const found of node.data.matchAll(token)) {
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
                           .map((r) => Math.round(r.top)));
      if (tops.size > 1) {
        const where = name(node.parentElement);
        problems.push(`"${found[0]}" broken over ${tops.size} lines in ${where}`);
      }
    }
  }
  for (const el of document.querySelectorAll("time, .num, table.report td, .figure")) {
    if (el.getClientRects().length && lines(el) > 1) {
      problems.push(`${name(el)} "${el.textContent.trim()}" on ${lines(el)} lines`);
    }
  }
  // every ticket number is one line box (it wrapped one digit per line at phone width)
  for (const el of document.querySelectorAll("a[href^='/tickets/']")) {
    if (/^#?\\d+$/.test(el.textContent.trim()) && el.getClientRects().length !== 1) {
      const boxes = el.getClientRects().length;
      problems.push(`ticket number ${el.textContent.trim()} in ${boxes} boxes`);
    }
  }
  return problems;
}"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """A configured box (every settings section) with an admin, an agent and tickets whose
    subjects and addresses are as long as real ones get."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-look-"))
    config_file = data_dir / "aspa.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    accounts = Accounts(store.db, clock)
    admin = await store.call(accounts.add_user, "Admin Example", ADMIN[0], "admin", ADMIN[1])
    agent = await store.call(accounts.add_user, "Anna Agent", AGENT[0], "agent", AGENT[1])
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    backend = backend_on(store, board, clock, bus, data_dir=data_dir,
                         config=load_config(config_file), config_path=config_file)
    first = await open_sample_ticket(
        backend.tickets, subject=LONG_SUBJECT, name="Maija Meikäläinen-Virtanen",
        sender="Maija <maija.meikalainen-virtanen@asiakasyritys-esimerkki.fi>")
    for n in range(3):
        await open_sample_ticket(backend.tickets, subject=f"Tulostin {n} ei tulosta")
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id, agent_id=agent.id,
               extra={"first": first, "backend": backend})
    await runner.cleanup()
    await bus.stop()
    store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


async def _page_at(browser: Any, width: int) -> tuple[Any, Any]:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_page_fits_its_width_with_nothing_cut_or_broken(
    site: Site, browser: Any, width: int
) -> None:
    context, page = await _page_at(browser, width)
    try:
        await log_in(page, site)
        paths = ["/", "/tickets", f"/tickets/{site.extra['first']}", "/customers/1",
                 "/admin/settings", "/reports", "/presence", "/wallboard", "/customers",
                 "/tickets?status=pending", "/search?q=tulostin", "/admin/agents",
                 "/admin/mailboxes", "/admin/prompts", "/admin/audit", "/quarantine",
                 "/admin/wall-screens", "/password"]
        found: dict[str, list[str]] = {}
        for language in ("en", "fi"):
            for path in paths:
                await page.goto(site.url + path)
                if problems := await page.evaluate(LAYOUT_PROBLEMS):
                    found[f"{language} {path}"] = problems
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                shot = path.strip("/").replace("/", "-").replace("?", "-") or "queue"
                await page.screenshot(path=str(ARTIFACTS / f"look-{width}-{language}-{shot}.png"),
                                      full_page=True)
            await page.click("form.lang button")  # the other language (back to English last)
            await page.wait_for_selector(f"html[lang={'fi' if language == 'en' else 'en'}]")
        assert not found, f"layout problems at {width} px: {found}"
    finally:
        await context.close()


def _presence(presence: Presence, state: AgentState, now: Any) -> AgentState:
    return set_presence(state, presence, now)


async def test_the_header_switch_sets_my_presence_and_follows_the_desk_button(
    site: Site, browser: Any
) -> None:
    context, page = await _page_at(browser, 390)
    try:
        await log_in(page, site, AGENT)
        number = site.extra["first"]
        await page.goto(f"{site.url}/tickets/{number}")
        switch = page.locator("#presence-switch")
        await switch.locator("button[value=busy]").click()
        await page.wait_for_url(f"{site.url}/tickets/{number}")  # back on the same page
        await page.wait_for_selector("#presence-switch button[value=busy][aria-pressed=true]")
        state = site.board.agent(site.agent_id)
        assert state is not None and state.presence is Presence.BUSY
        assert await switch.locator("button[aria-pressed=true]").count() == 1
        # the desk button (or any other part of the box) changes it: the live page follows
        await page.goto(site.url + "/")
        await page.wait_for_function("document.body.dataset.liveReady === '1'")
        backend = site.extra["backend"]
        backend.change_presence(site.agent_id, partial(_presence, Presence.AWAY),
                                source="button")
        await page.wait_for_selector("#presence-switch button[value=away][aria-pressed=true]")
        assert await switch.locator("button[aria-pressed=true]").count() == 1
    finally:
        await context.close()


async def test_relative_times_are_written_again_as_the_minutes_pass(
    site: Site, browser: Any
) -> None:
    context, page = await _page_at(browser, 1280)
    try:
        await page.clock.install()  # the page's own clock, moved on by the test
        await log_in(page, site, AGENT)
        await page.goto(f"{site.url}/tickets/{site.extra['first']}")
        opened = page.locator(".facts time[data-relative]").first
        assert await opened.get_attribute("title")  # the exact time on hover
        before = await opened.inner_text()
        await page.clock.run_for(7 * 60 * 1000)  # the script's minute timer fires
        then = await opened.get_attribute("datetime")
        minutes = await page.evaluate(
            "(then) => Math.floor((Date.now() - Date.parse(then)) / 60000)", then)
        assert minutes >= 7
        # written at the last minute's tick: the clock (it keeps running) may be past the next
        shown = await opened.inner_text()
        assert shown != before
        assert shown in (f"{minutes} min ago", f"{minutes - 1} min ago")
    finally:
        await context.close()


async def test_a_save_shows_its_confirmation_in_the_persons_language(
    site: Site, browser: Any
) -> None:
    context, page = await _page_at(browser, 390)
    try:
        await log_in(page, site)
        await page.goto(site.url + "/admin/settings#holidays")
        await page.fill("#holidays-list", "2026-12-24\n2026-12-31")
        await page.click("#holidays button[type=submit]")
        flash = page.locator("p.flash[role=status]")
        await flash.wait_for()
        assert "Saved" in await flash.inner_text()
        assert await flash.is_visible()
        box = await flash.bounding_box()  # in view where the page returned to, not far above
        assert box is not None and 0 <= box["y"] < 900
        await page.click("form.lang button")
        await page.wait_for_selector("html[lang=fi]")
        await page.goto(site.url + "/customers/1")
        await page.check("input[name=vip]")
        vip = await page.locator("input[name=vip]").bounding_box()
        label = await page.locator("label.check").bounding_box()
        assert vip is not None and label is not None
        assert label["height"] < 2 * vip["height"]  # the box and "VIP" on one line
        await page.click("form.stack:has(input[name=vip]) button[type=submit]")
        await page.wait_for_selector("#flash")
        assert await page.locator("#flash").inner_text() == "Tallennettu."
    finally:
        await context.close()


async def test_a_password_change_is_confirmed_on_the_login_page(site: Site, browser: Any) -> None:
    context, page = await _page_at(browser, 1280)
    try:
        accounts = Accounts(site.store.db, SystemClock())
        await site.store.call(accounts.add_user, "Pekka Vaihtaja", "pekka", "agent",
                              "vanha-salasana-1")
        await log_in(page, site, ("pekka", "vanha-salasana-1"))
        await page.goto(site.url + "/password")
        await page.fill("input[name=current]", "vanha-salasana-1")
        await page.fill("input[name=new]", "uusi-salasana-22")
        await page.fill("input[name=new2]", "uusi-salasana-22")
        await page.click("main form.stack button[type=submit]")
        await page.wait_for_url(site.url + "/login?done=password")
        assert "Password changed" in await page.locator("#flash").inner_text()
    finally:
        await context.close()
