"""A login outlives a restart of the web app (same SQLite file, same key file); its rules too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.models import Agent
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from appliance.web.frame.secret_key import load_or_create_secret
from appliance.web.frame.sessions import COOKIE_NAME
from tests.web.board_backend import board_backend
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, log_in

ANNA_PASSWORD = "anna-salasana-1"


@asynccontextmanager
async def web_box(data_dir: Path, clock: ManualClock) -> AsyncIterator[TestClient]:
    """The web app as the daemon starts it: the store file and the key file under data_dir."""
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    try:
        backend = await board_backend(store, clock, data_dir=data_dir)
        app = make_app(backend, secret_key=load_or_create_secret(data_dir), clock=clock,
                       session_idle=timedelta(hours=12), session_lifetime=timedelta(days=30))
        async with TestClient(TestServer(app)) as client:
            yield client
    finally:
        store.close()


async def _add_users(data_dir: Path, clock: ManualClock) -> int:
    """The admin and Anna; Anna's id."""
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    try:
        accounts = Accounts(store.db, clock)
        await store.call(accounts.add_user, "Admin Example", ADMIN_LOGIN, "admin", ADMIN_PASSWORD)
        anna = await store.call(accounts.add_user, "Anna", "anna", "agent", ANNA_PASSWORD)
        return int(anna.id)
    finally:
        store.close()


def _cookie(client: TestClient) -> str:
    return next(c.value for c in client.session.cookie_jar if c.key == COOKIE_NAME)


async def _get(client: TestClient, path: str, cookie: str) -> int:
    """The status of a request with this session cookie (and whatever the client's jar adds)."""
    response = await client.get(path, headers={"Cookie": f"{COOKIE_NAME}={cookie}"},
                                allow_redirects=False)
    return response.status


async def test_a_session_survives_a_restart_with_its_csrf_token(tmp_path: Path) -> None:
    clock = ManualClock()
    await _add_users(tmp_path, clock)
    async with web_box(tmp_path, clock) as before:
        token = await log_in(before)
        cookie = _cookie(before)
    clock.advance(timedelta(minutes=5))  # an update, a power cut, the watchdog
    async with web_box(tmp_path, clock) as after:
        assert await _get(after, "/api/queue", cookie) == 200
        page = await after.get("/", headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
        assert page.status == 200 and token in await page.text()
        out = await after.post("/api/logout", headers={
            "Cookie": f"{COOKIE_NAME}={cookie}", "X-CSRF-Token": token})
        assert out.status == 200
        assert await _get(after, "/api/queue", cookie) == 401
    async with web_box(tmp_path, clock) as again:
        assert await _get(again, "/api/queue", cookie) == 401  # logout ended it for good


async def test_a_password_change_after_a_restart_ends_the_other_sessions(tmp_path: Path) -> None:
    clock = ManualClock()
    anna_id = await _add_users(tmp_path, clock)
    async with web_box(tmp_path, clock) as box:
        await log_in(box, "anna", ANNA_PASSWORD)
        annas_phone = _cookie(box)
        box.session.cookie_jar.clear()
        await log_in(box, "anna", ANNA_PASSWORD)
        annas_desk = _cookie(box)
    async with web_box(tmp_path, clock) as box:
        assert await _get(box, "/api/queue", annas_phone) == 200  # now in the app's memory
        box.session.cookie_jar.clear()
        token = await log_in(box)
        reset = await box.post(f"/api/admin/agents/{anna_id}", json={"password": "uusi-1234"},
                               headers={"X-CSRF-Token": token})
        assert reset.status == 200
        box.session.cookie_jar.clear()  # only Anna's cookies from here on
        assert await _get(box, "/api/queue", annas_phone) == 401
        assert await _get(box, "/api/queue", annas_desk) == 401
    async with web_box(tmp_path, clock) as box:
        assert await _get(box, "/api/queue", annas_phone) == 401
        assert await _get(box, "/api/queue", annas_desk) == 401


async def test_a_session_idle_too_long_ends_even_across_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    await _add_users(tmp_path, clock)
    async with web_box(tmp_path, clock) as box:
        await log_in(box, "anna", ANNA_PASSWORD)
        cookie = _cookie(box)
        clock.advance(timedelta(hours=11))
        assert await _get(box, "/api/queue", cookie) == 200
    clock.advance(timedelta(hours=11, minutes=59))
    async with web_box(tmp_path, clock) as box:
        assert await _get(box, "/api/queue", cookie) == 200  # 11 h 59 min idle
    clock.advance(timedelta(hours=12))
    async with web_box(tmp_path, clock) as box:
        assert await _get(box, "/", cookie) == 302  # to the login page
        assert await _get(box, "/api/queue", cookie) == 401


async def test_a_session_of_an_account_disabled_while_off_ends(tmp_path: Path) -> None:
    clock = ManualClock()
    anna_id = await _add_users(tmp_path, clock)
    async with web_box(tmp_path, clock) as box:
        await log_in(box, "anna", ANNA_PASSWORD)
        cookie = _cookie(box)
    db = open_store(tmp_path / "aspa.db")
    Agent.update(active=False).where(Agent.id == anna_id).execute()
    db.close()
    async with web_box(tmp_path, clock) as box:
        assert await _get(box, "/api/queue", cookie) == 401
