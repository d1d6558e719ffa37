"""Wall screens: paired from the admin page, they see the wallboard and its stream, nothing else,
for as long as no admin revokes them (no 30-day end), across restarts."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.models import WallScreen
from appliance.store.worker import StoreWorker
from appliance.web.frame.wall_screens import WALL_COOKIE
from tests.web.conftest import log_in, open_sample_ticket
from tests.web.test_route_rules import _routes
from tests.web.test_session_restart import _add_users, web_box

LINK = re.compile(r'id="wall-link" href="([^"]+)"')
CODE = re.compile(r'<code id="wall-code">([^<]+)</code>')
WALL_GETS = {"/wallboard", "/api/wallboard", "/events"}
PUBLIC_GETS = {"/login", "/api/login", "/wall/pair"}


async def _new_pairing(client: TestClient, name: str = "Aula-TV") -> tuple[str, str]:
    """Log in as the admin and make a pairing: (the link, the code)."""
    token = await log_in(client)
    page = await client.post("/admin/wall-screens", data={"name": name, "csrf_token": token})
    assert page.status == 200
    html = await page.text()
    link, code = LINK.search(html), CODE.search(html)
    assert link and code, html
    assert link.group(1).endswith("/wall/pair?code=" + code.group(1))
    return link.group(1), code.group(1)


@asynccontextmanager
async def _tv(client: TestClient) -> AsyncIterator[aiohttp.ClientSession]:
    """Another browser on the same box, with a cookie jar of its own."""
    jar = aiohttp.CookieJar(unsafe=True)  # the test server is an IP address
    async with aiohttp.ClientSession(base_url=str(client.make_url("/")), cookie_jar=jar) as tv:
        yield tv


async def _pair(tv: aiohttp.ClientSession, code: str) -> str:
    """Open the pairing link on the TV: its wall cookie, checked for its flags."""
    answer = await tv.get("/wall/pair", params={"code": code})
    assert answer.status == 200
    assert 'id="wall-paired"' in await answer.text()
    assert 'http-equiv="refresh" content="1; url=/wallboard"' in await answer.text()
    morsel = SimpleCookie(answer.headers["Set-Cookie"])[WALL_COOKIE]
    assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/"
    assert int(morsel["max-age"]) >= 365 * 24 * 3600  # kept by the browser, not a tab's life
    return morsel.value


async def _status(tv: aiohttp.ClientSession, path: str, method: str = "GET") -> int:
    async with tv.request(method, path, allow_redirects=False,
                          data={"body": "x", "name": "evil"}) as answer:
        return answer.status


async def _first_event(tv: aiohttp.ClientSession) -> tuple[aiohttp.ClientResponse, bytes]:
    stream = await tv.get("/events")
    assert stream.status == 200
    assert stream.headers["Content-Type"] == "text/event-stream"
    seen = b""
    while b'"hello"' not in seen:
        seen += await asyncio.wait_for(stream.content.readline(), 5)
    return stream, seen


async def test_a_paired_screen_sees_the_wallboard_and_nothing_else(
        client: TestClient, tickets: object, store: StoreWorker) -> None:
    await open_sample_ticket(tickets)  # type: ignore[arg-type]
    _, code = await _new_pairing(client)
    async with _tv(client) as tv:
        await _pair(tv, code)
        board = await tv.get("/wallboard")
        assert board.status == 200
        html = await board.text()
        assert 'data-live="wallboard"' in html and 'id="wb-waiting"' in html
        assert 'action="/logout"' not in html and 'action="/language"' not in html
        assert 'href="/admin' not in html  # no menu: nothing else is open to it
        figures = await (await tv.get("/api/wallboard")).json()
        assert figures["open_tickets"] == 1
        stream, _ = await _first_event(tv)
        stream.close()
        for path in _routes(client, "GET"):
            if path in WALL_GETS or path in PUBLIC_GETS:
                continue
            assert await _status(tv, path) == 403, path
        for path in _routes(client, "POST"):
            assert await _status(tv, path, "POST") == 403, path
        refused = await tv.get("/admin/wall-screens", headers={"Accept-Language": "fi"})
        assert "Seinä-TV näyttää vain seinänäytön." in await refused.text()
    # nothing was changed by the screen's posts
    names = await store.call(lambda: [s.name for s in WallScreen.select()])
    assert names == ["Aula-TV"]


async def test_a_pairing_link_works_once_and_for_a_day(client: TestClient,
                                                       clock: ManualClock) -> None:
    _, code = await _new_pairing(client)
    async with _tv(client) as tv:
        await _pair(tv, code)
    async with _tv(client) as other:
        again = await other.get("/wall/pair", params={"code": code})
        assert again.status == 400 and 'id="wall-pair-failed"' in await again.text()
        assert WALL_COOKIE not in again.cookies
        assert await _status(other, "/wallboard") == 302  # to the login page: not paired
    _, late = await _new_pairing(client, "Keittiö")
    clock.advance(timedelta(days=1, seconds=1))
    async with _tv(client) as tv:
        answer = await tv.get("/wall/pair", params={"code": late},
                              headers={"Accept-Language": "fi"})
        assert answer.status == 400
        assert "Tämä pariliitoskoodi ei toimi" in await answer.text()
    await log_in(client)  # the admin's login idled out meanwhile
    listed = await client.get("/admin/wall-screens", headers={"Accept-Language": "fi"})
    assert "pariliitoslinkki vanheni" in await listed.text()


async def test_revoking_ends_the_screen_at_once(client: TestClient) -> None:
    _, code = await _new_pairing(client)
    async with _tv(client) as tv:
        await _pair(tv, code)
        stream, _ = await _first_event(tv)
        page = await client.get("/admin/wall-screens")
        html = await page.text()
        screen_id = re.search(r'action="/admin/wall-screens/(\d+)/revoke"', html)
        assert screen_id and "Aula-TV" in html
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token
        revoked = await client.post(f"/admin/wall-screens/{screen_id.group(1)}/revoke",
                                    data={"csrf_token": token.group(1)})
        assert revoked.status == 200 and 'id="wall-revoked"' in await revoked.text()
        # the open stream says so and ends
        rest = await asyncio.wait_for(stream.content.read(), 5)
        assert b'"unpaired"' in rest
        gone = await tv.get("/wallboard", allow_redirects=False)
        assert gone.status == 403
        text = await gone.text()
        assert 'id="wall-unpaired"' in text and 'name="password"' not in text
        assert await _status(tv, "/api/wallboard") == 403
        assert await _status(tv, "/events") == 403
        assert await _status(tv, "/") == 302  # elsewhere: the login page, as for anyone
        assert "Aula-TV" not in await (await client.get("/admin/wall-screens")).text()


async def test_no_30_day_end_and_last_seen_is_listed(client: TestClient,
                                                    clock: ManualClock) -> None:
    _, code = await _new_pairing(client)
    async with _tv(client) as tv:
        await _pair(tv, code)
        clock.advance(timedelta(days=90))
        assert await _status(tv, "/wallboard") == 200
        assert await _status(tv, "/api/wallboard") == 200
    await log_in(client)  # the admin's own session had ended meanwhile
    screens = await (await client.get("/api/admin/wall-screens")).json()
    [screen] = screens["screens"]
    assert screen["name"] == "Aula-TV" and screen["pairing_until"] is None
    assert screen["last_seen_at"] == clock.now().isoformat()


async def test_a_forged_wall_cookie_is_no_screen(client: TestClient) -> None:
    async with _tv(client) as tv:
        tv.cookie_jar.update_cookies({WALL_COOKIE: "abc.def"})
        assert await _status(tv, "/wallboard") == 302  # to the login page
        assert await _status(tv, "/api/wallboard") == 401


async def test_pairing_and_revoking_need_the_csrf_token_and_an_admin(
        client: TestClient, store: StoreWorker, accounts: Accounts) -> None:
    await log_in(client)
    refused = await client.post("/admin/wall-screens", data={"name": "Aula-TV"})
    assert refused.status == 403
    assert await store.call(lambda: WallScreen.select().count()) == 0
    _, code = await _new_pairing(client)
    async with _tv(client) as tv:
        await _pair(tv, code)
        screen_id = await store.call(lambda: WallScreen.get().id)
        wrong = await client.post(f"/admin/wall-screens/{screen_id}/revoke",
                                  data={"csrf_token": "not-the-token"})
        assert wrong.status == 403
        assert await _status(tv, "/wallboard") == 200
        await store.call(accounts.add_user, "Anna", "anna", "agent", "anna-salasana-1")
        client.session.cookie_jar.clear()
        token = await log_in(client, "anna", "anna-salasana-1")
        not_admin = await client.post(f"/admin/wall-screens/{screen_id}/revoke",
                                      data={"csrf_token": token})
        assert not_admin.status == 403
        assert await _status(tv, "/wallboard") == 200


async def test_a_bad_name_is_answered_in_the_persons_language(client: TestClient,
                                                               store: StoreWorker) -> None:
    token = await log_in(client)
    for name, expected in (("", "Nimi: pakollinen"), ("x" * 81, "Nimi: liian pitkä")):
        page = await client.post("/admin/wall-screens", data={"name": name, "csrf_token": token},
                                 headers={"Accept-Language": "fi"})
        assert page.status == 400
        text = await page.text()
        assert "Pariliitosta ei tehty:" in text and expected in text, text
    hostile = await client.post("/admin/wall-screens", data={
        "name": "<script>alert(1)</script>", "csrf_token": token})
    assert "<script>alert(1)</script>" not in await hostile.text()
    assert "&lt;script&gt;" in await hostile.text()
    assert await store.call(lambda: WallScreen.select().count()) == 1


async def test_a_restart_keeps_the_screen_and_its_revocation(tmp_path: Path) -> None:
    clock = ManualClock()
    await _add_users(tmp_path, clock)
    async with web_box(tmp_path, clock) as before:
        _, code = await _new_pairing(before)
        async with _tv(before) as tv:
            cookie = await _pair(tv, code)
    clock.advance(timedelta(days=45))  # updates and power cuts; past any login's end
    async with web_box(tmp_path, clock) as after, _tv(after) as tv:
        tv.cookie_jar.update_cookies({WALL_COOKIE: cookie})
        assert await _status(tv, "/wallboard") == 200
        assert await _status(tv, "/admin/agents") == 403
        token = await log_in(after)
        screen_id = (await (await after.get("/api/admin/wall-screens")).json())["screens"][0]["id"]
        out = await after.post(f"/api/admin/wall-screens/{screen_id}/revoke",
                               headers={"X-CSRF-Token": token})
        assert out.status == 200
    async with web_box(tmp_path, clock) as again, _tv(again) as tv:
        tv.cookie_jar.update_cookies({WALL_COOKIE: cookie})
        gone = await tv.get("/wallboard", allow_redirects=False)
        assert gone.status == 403 and 'id="wall-unpaired"' in await gone.text()


async def test_pairing_a_logged_in_browser_logs_it_out(client: TestClient) -> None:
    _, code = await _new_pairing(client)  # the admin's own browser opens the link
    paired = await client.get("/wall/pair", params={"code": code})
    assert paired.status == 200 and 'id="wall-paired"' in await paired.text()
    assert (await client.get("/wallboard", allow_redirects=False)).status == 200
    assert (await client.get("/admin/agents", allow_redirects=False)).status == 403
    assert (await client.get("/api/queue")).status == 403
