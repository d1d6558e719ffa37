"""A wall screen in Chromium: paired from the admin page, it keeps its wallboard up across a
restart of the web server (same port, same store), and says so when it is unpaired."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from tests.peers.free_port import LOOPBACK, free_port
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, ARTIFACTS, WAIT_MS, log_in
from tests.web.conftest import open_sample_ticket

pytestmark = pytest.mark.asyncio(loop_scope="session")

COME_BACK_MS = 20_000  # the page asks again every 3 s; the server is down a moment only


class WebServer:
    """The web app on a fixed loopback port, stopped and started again like the daemon's."""

    def __init__(self, store: StoreWorker, board: Switchboard, bus: EventBus, data_dir: Path,
                 port: int) -> None:
        self.key = secrets.token_bytes(32)  # the key file: the same across restarts
        self.store, self.board, self.bus, self.data_dir, self.port = (
            store, board, bus, data_dir, port)
        self.runner: web.AppRunner | None = None
        self.backend: Any = None

    async def start(self) -> None:
        self.backend = backend_on(self.store, self.board, SystemClock(), self.bus,
                                  data_dir=self.data_dir)
        app = make_app(self.backend, secret_key=self.key, clock=SystemClock())
        self.runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self.runner.setup()
        await web.TCPSite(self.runner, LOOPBACK, self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None


async def test_the_wallboard_comes_back_by_itself_and_says_when_unpaired(
        browser: Any, tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    await store.call(Accounts(store.db, clock).add_user, "Admin Example", ADMIN[0], "admin",
                     ADMIN[1])
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    server = WebServer(store, board, bus, tmp_path, free_port(LOOPBACK))
    url = f"http://{LOOPBACK}:{server.port}"
    await server.start()
    admin_side = await browser.new_context(viewport={"width": 1280, "height": 900})
    tv_side = await browser.new_context(viewport={"width": 1920, "height": 1080})
    admin, tv = await admin_side.new_page(), await tv_side.new_page()
    for page in (admin, tv):
        page.set_default_timeout(WAIT_MS)
    admin.on("dialog", lambda dialog: dialog.accept())
    try:
        await log_in(admin, url)
        await admin.click("a[href='/admin/wall-screens']")
        await admin.fill("#add-wall-screen + form input[name=name], form.stack input[name=name]",
                         "Aula-TV")
        await admin.click("form.stack button[type=submit]")
        link = await admin.get_attribute("#wall-link", "href")
        assert link and link.startswith(url + "/wall/pair?code=")

        await tv.goto(link)
        await tv.wait_for_url(url + "/wallboard")  # by itself, from the pairing page
        await tv.wait_for_selector("body[data-live-ready='1'][data-connected='1']")
        assert await tv.inner_text("#wb-open") == "0"

        await server.stop()  # an update, the watchdog, a power cut
        await open_sample_ticket(server.backend.tickets)  # happens while the page is away
        await server.start()
        await tv.wait_for_selector("body[data-connected='2']", timeout=COME_BACK_MS)
        await tv.wait_for_function(
            "document.getElementById('wb-open').textContent === '1'", timeout=WAIT_MS)
        assert tv.url == url + "/wallboard"  # still the wallboard, no login page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await tv.screenshot(path=str(ARTIFACTS / "wall_screen_back_after_restart.png"))

        await admin.goto(url + "/admin/wall-screens")  # the admin's login outlived it too
        assert "Aula-TV" in await admin.inner_text("#wall-screens")
        await admin.click("#wall-screens button[type=submit]")
        await admin.wait_for_selector("#wall-revoked")
        await tv.wait_for_selector("#wall-unpaired", timeout=WAIT_MS)
        assert await tv.locator("input[name=password]").count() == 0
        await tv.screenshot(path=str(ARTIFACTS / "wall_screen_unpaired.png"))
    finally:
        await admin_side.close()
        await tv_side.close()
        await server.stop()
        await bus.stop()
        store.close()
