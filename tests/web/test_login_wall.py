"""Every page needs a login: pages redirect to /login, JSON answers 401."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from aiohttp.test_utils import TestClient

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.models import Agent
from appliance.store.worker import StoreWorker
from appliance.web.frame.sessions import COOKIE_NAME
from tests.web.conftest import ADMIN_PASSWORD, csrf_token_in, log_in, login_token


async def test_pages_redirect_to_login(client: TestClient) -> None:
    response = await client.get("/", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/login"
    deep = await client.get("/nowhere?x=1", allow_redirects=False)
    assert deep.status == 302
    target = urlsplit(deep.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": ["/nowhere?x=1"]}


async def test_json_answers_401(client: TestClient) -> None:
    response = await client.get("/api/stats")
    assert response.status == 401
    assert await response.json() == {"error": "login required"}
    asked_json = await client.get("/", headers={"Accept": "application/json"})
    assert asked_json.status == 401


async def test_wrong_password_is_refused_and_says_so(client: TestClient) -> None:
    token = await login_token(client)
    response = await client.post("/login", data={"login": "admin", "password": "wrong-one!",
                                                 "csrf_token": token}, allow_redirects=False)
    assert response.status == 401
    assert "Wrong login or password." in await response.text()
    assert COOKIE_NAME not in response.cookies
    unknown = await client.post("/login", data={"login": "nobody", "password": ADMIN_PASSWORD,
                                                "csrf_token": token}, allow_redirects=False)
    assert unknown.status == 401
    assert (await client.get("/", allow_redirects=False)).status == 302


async def test_login_sets_a_strict_httponly_session_cookie(client: TestClient) -> None:
    token = await login_token(client)
    response = await client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                                 "csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    page = await client.get("/")
    assert page.status == 200
    assert "Admin Example (admin)" in await page.text()


async def test_login_returns_to_the_page_asked_for_but_only_on_this_box(client: TestClient) -> None:
    for target, expected in (("/api/stats", "/api/stats"), ("//evil.example/", "/"),
                             ("https://evil.example/", "/")):
        client.session.cookie_jar.clear()
        token = await login_token(client)
        response = await client.post(
            "/login", allow_redirects=False,
            data={"login": "admin", "password": ADMIN_PASSWORD, "csrf_token": token,
                  "next": target})
        assert response.headers["Location"] == expected


async def test_a_forged_session_cookie_is_refused(client: TestClient) -> None:
    await log_in(client)
    real = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    session_id, _, signature = real.partition(".")
    for forged in (f"{session_id}.{'0' * len(signature)}", f"x{session_id}.{signature}", "junk"):
        client.session.cookie_jar.update_cookies({COOKIE_NAME: forged}, client.make_url("/"))
        response = await client.get("/", allow_redirects=False)
        assert response.status == 302, forged


async def test_logout_ends_the_session_on_the_box(client: TestClient) -> None:
    token = await log_in(client)
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))[COOKIE_NAME].value
    response = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login"
    assert (await client.get("/", allow_redirects=False)).status == 302
    # the old cookie, replayed, no longer opens anything
    client.session.cookie_jar.update_cookies({COOKIE_NAME: cookie}, client.make_url("/"))
    assert (await client.get("/api/stats")).status == 401


async def test_a_logged_in_browser_is_sent_on_from_the_login_page(client: TestClient) -> None:
    await log_in(client)
    response = await client.get("/login", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/"
    page = await client.get("/")
    assert csrf_token_in(await page.text())


async def test_a_password_change_ends_older_sessions(
    client: TestClient, store: StoreWorker, accounts: Accounts, admin_id: int, clock: ManualClock
) -> None:
    await log_in(client)
    clock.advance(60)
    await store.call(accounts.change_password, admin_id, "a-brand-new-one")
    assert (await client.get("/api/stats")).status == 401
    await log_in(client, password="a-brand-new-one")
    assert (await client.get("/api/stats")).status == 200


async def test_a_deactivated_account_is_logged_out(
    client: TestClient, store: StoreWorker, admin_id: int
) -> None:
    await log_in(client)
    await store.call(lambda: Agent.update(active=False).where(Agent.id == admin_id).execute())
    assert (await client.get("/api/stats")).status == 401
