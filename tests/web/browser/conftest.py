"""Headless Chromium (Debian's `chromium`) driven by Playwright against the real web app.

One browser for the whole session; one server per test module on a free
loopback port; each test gets a fresh browser context whose page is
screenshotted into test-artifacts/web/ at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from tests.web.board_backend import backend_on, loaded_board

CHROMIUM = Path(os.environ.get("ASPA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_PRESENT = CHROMIUM.exists()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "web"
ADMIN = ("admin", "kissa-koira-42")
AGENT = ("anna", "anna-salasana-1")
WAIT_MS = 5000

pytestmark = pytest.mark.asyncio(loop_scope="session")


@dataclass
class Site:
    """The running web app and the parts a test drives it through."""

    url: str
    store: StoreWorker
    tickets: TicketBook
    bus: EventBus
    board: Switchboard
    data_dir: Path
    admin_id: int = 0
    agent_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM_PRESENT:
        pytest.skip("needs Chromium: apt-get install chromium (the Debian package `chromium`)")
    playwright_api = pytest.importorskip(
        "playwright.async_api", reason="needs the `playwright` package (the `test` extra)")
    async with playwright_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                    args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-web-"))
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
    backend = backend_on(store, board, clock, bus, data_dir=data_dir)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id, agent_id=agent.id)
    await runner.cleanup()
    await bus.stop()
    store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Watched:
    """A page and what it did that a test must see: dialogs and console errors."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest_asyncio.fixture(loop_scope="session")
async def watched(browser: Any, request: pytest.FixtureRequest) -> AsyncIterator[Watched]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    seen = Watched(page)

    async def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    yield seen
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    await context.close()


async def log_in(page: Any, site: Site | str, who: tuple[str, str] = ADMIN) -> None:
    """Log in through the form, landing on the queue (`site` or a served page's base URL)."""
    url = site if isinstance(site, str) else site.url
    await page.goto(url + "/login")
    await page.fill("input[name=login]", who[0])
    await page.fill("input[name=password]", who[1])
    await page.click("form.stack button[type=submit]")
    await page.wait_for_url(url + "/")
