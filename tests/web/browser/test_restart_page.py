"""The restart button in Chromium: the box stops for systemd, and the waiting page comes back
by itself once the box answers again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from appliance.config.aspa_toml import load_config
from appliance.runtime.daemon import EXIT_RESTART, Daemon, serve
from appliance.runtime.shutdown import ShutdownRequest
from appliance.runtime.systemd_notify import SystemdNotifier
from tests.daemon_box import ADMIN_PASSWORD, Box, make_box, seed
from tests.peers.free_port import LOOPBACK, free_port
from tests.web.browser.conftest import log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

START_S = 20.0
COME_BACK_MS = 30_000


class Served:
    """One start of the daemon of `box`, as systemd would start it."""

    def __init__(self, box: Box) -> None:
        self.daemon = Daemon(load_config(box.config_path), config_path=box.config_path,
                             notifier=SystemdNotifier(None))
        self.shutdown = ShutdownRequest()
        self.started = asyncio.Event()
        self.task = asyncio.create_task(serve(self.daemon, shutdown=self.shutdown,
                                              on_started=lambda _: self.started.set()))

    async def up(self) -> Served:
        await asyncio.wait_for(self.started.wait(), START_S)
        return self

    async def end(self) -> None:
        if not self.task.done():
            self.shutdown.request("test over")
        await self.task


async def test_the_restart_page_comes_back_by_itself(browser: Any, tmp_path: Path) -> None:
    port = free_port(LOOPBACK)
    box = make_box(tmp_path, web_port=port)
    seed(box)
    url = f"http://127.0.0.1:{port}"
    first = await Served(box).up()
    second: Served | None = None
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await log_in(page, url, ("admin", ADMIN_PASSWORD))
        # sessions last longer now: read only at start, so the page offers a restart
        text = box.config_path.read_text()
        box.config_path.write_text(text.replace("[web]\n", "[web]\nsession_hours = 10\n", 1))
        await page.goto(url + "/admin/settings")
        await page.fill("#holidays-list", "2026-12-24")
        await page.click("#holidays button[type=submit]")
        await page.wait_for_selector("#restart >> text=web")
        await page.click("#restart button[type=submit]")
        await page.wait_for_selector("#restart-state")
        assert await asyncio.wait_for(first.task, START_S) == EXIT_RESTART
        second = await Served(box).up()  # what systemd does on exit code 75
        await page.wait_for_url(url + "/admin/settings?restarted=1", timeout=COME_BACK_MS)
        assert "every saved setting is in use" in await page.inner_text("#restarted")
        assert second.daemon.config.web.session_hours == 10
    finally:
        await context.close()
        for served in (first, second):
            if served is not None:
                await served.end()
