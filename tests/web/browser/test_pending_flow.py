"""Pending in Chromium, on an injected clock: set a ticket pending until tomorrow 9:00 with a
reason, find it in the pending list, and see it back in the queue when the clock gets there."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.web.board_backend import ZONE, backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, AGENT, Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """The web app whose clock moves only when the test says (starting at the real now, so
    the browser keeps the session cookie)."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-pending-"))
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    accounts = Accounts(store.db, clock)
    admin = await store.call(accounts.add_user, "Admin Example", ADMIN[0], "admin", ADMIN[1])
    agent = await store.call(accounts.add_user, "Anna Agent", AGENT[0], "agent", AGENT[1])
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    backend = backend_on(store, board, clock, bus, data_dir=data_dir)
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id, agent_id=agent.id,
               extra={"clock": clock})
    await runner.cleanup()
    await bus.stop()
    store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


async def test_pending_until_tomorrow_nine_comes_back(site: Site, watched: Watched) -> None:
    clock: ManualClock = site.extra["clock"]
    ticket = await site.tickets.open_ticket("email", "Varaosa tulossa", message=MessageDraft(
        channel="email", direction="in", body_text="Milloin osa tulee?", sender="a@b.fi"))
    await site.tickets.assign(ticket.id, site.agent_id)
    await site.bus.drain()
    page = watched.page
    await log_in(page, site, AGENT)
    await page.goto(f"{site.url}/tickets/{ticket.number}")
    tomorrow_nine = (clock.now().astimezone(ZONE) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0)
    await page.fill("#pending-until", tomorrow_nine.strftime("%Y-%m-%dT%H:%M"))
    await page.fill("#pending-reason", "Osa tilattu <toimittajalta>")
    await page.click("#pending-form button[type=submit]")
    await page.wait_for_selector("#pending-note")
    assert await page.locator("#pending-note").inner_text() == (
        f"Waiting until {tomorrow_nine:%Y-%m-%d %H:%M}: Osa tilattu <toimittajalta>")
    await page.goto(site.url + "/")
    assert await page.locator(f"#queue-rows a[href='/tickets/{ticket.number}']").count() == 0
    await page.click("header nav >> text=Pending")
    await page.wait_for_selector("#ticket-list")
    row = page.locator("#ticket-list tbody tr").first
    assert f"#{ticket.number}" in await row.inner_text()
    back = row.locator("td:nth-child(8) time")  # "in 12 h", the exact time on hover
    assert await back.get_attribute("title") == f"{tomorrow_nine:%Y-%m-%d %H:%M}"

    clock.set(tomorrow_nine.astimezone(UTC) - timedelta(minutes=1))
    assert await site.board.return_due_pending() == []
    clock.set(tomorrow_nine.astimezone(UTC))
    assert await site.board.return_due_pending() == [ticket.number]
    await site.bus.drain()
    # the session may or may not outlive the night, depending on the hour the test starts
    await page.goto(site.url + "/")
    if "/login" in page.url:
        await log_in(page, site, AGENT)
    await page.wait_for_selector(f"#queue-rows a[href='/tickets/{ticket.number}']")
    await page.goto(site.url + "/tickets?status=pending")
    assert await page.locator("#ticket-list").count() == 0
    assert watched.dialogs == [] and watched.errors == []
