"""A real daemon of a test box, with an admin logged in to its page: for the tests of
settings saved on the page and taken by the running parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from aiohttp import ClientSession

from appliance.config.aspa_toml import load_config
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.clock import Clock, ManualClock
from appliance.web.adapter import WebAdapter
from tests.daemon_box import Box, logged_in_session, seed

CSRF_FIELD = 'name="csrf_token" value="'


@asynccontextmanager
async def daemon_with_admin(box: Box) -> AsyncIterator[tuple[Daemon, ClientSession]]:
    """The daemon of this box started on its own clock, an admin logged in to its page."""
    seed(box)
    async with _started(box, None) as running:
        yield running


@asynccontextmanager
async def daemon_on_manual_clock(box: Box) -> AsyncIterator[
        tuple[Daemon, ClientSession, ManualClock]]:
    """As daemon_with_admin, on a manual clock set to now (after the seed: the admin's
    password is older than the clock)."""
    seed(box)
    clock = ManualClock(datetime.now(UTC))
    async with _started(box, clock) as (daemon, session):
        yield daemon, session, clock


@asynccontextmanager
async def _started(box: Box, clock: Clock | None) -> AsyncIterator[tuple[Daemon, ClientSession]]:
    daemon = Daemon(load_config(box.config_path), config_path=box.config_path,
                    notifier=SystemdNotifier(None),
                    **({"clock": clock} if clock is not None else {}))
    await daemon.start()
    session: ClientSession | None = None
    try:
        web = next(a for a in daemon.supervisor.adapters if isinstance(a, WebAdapter))
        session = await logged_in_session(web.url.rstrip("/"))
        yield daemon, session
    finally:
        if session is not None:
            await session.close()
        await daemon.stop()


async def settings_token(session: ClientSession, page: str = "/admin/settings") -> str:
    """The CSRF token of a logged-in page's forms."""
    text = await (await session.get(page)).text()
    start = text.index(CSRF_FIELD) + len(CSRF_FIELD)
    return text[start:text.index('"', start)]


async def post_form(session: ClientSession, path: str, fields: dict[str, str]) -> str:
    """Send a settings form as the page does; where the accepted save leads (303)."""
    response = await session.post(path, data={"csrf_token": await settings_token(session),
                                              **fields}, allow_redirects=False)
    body = await response.text()
    assert response.status == 303, body
    return response.headers["Location"]
