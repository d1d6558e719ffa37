"""Every POST needs the CSRF token of this browser's session or login form (403 otherwise)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.web.frame.csrf import LOGIN_NONCE_COOKIE
from tests.web.conftest import ADMIN_PASSWORD, log_in, login_token


async def test_login_without_or_with_a_wrong_token_is_forbidden(client: TestClient) -> None:
    form = {"login": "admin", "password": ADMIN_PASSWORD}
    assert (await client.post("/login", data=form)).status == 403
    token = await login_token(client)
    wrong = token[:-1] + ("1" if token.endswith("0") else "0")
    assert (await client.post("/login", data={**form, "csrf_token": wrong})).status == 403
    assert (await client.post("/login", data={**form, "csrf_token": ""})).status == 403


async def test_a_login_token_is_bound_to_its_browser(client: TestClient) -> None:
    token = await login_token(client)
    # another browser (another nonce cookie) cannot use it
    client.session.cookie_jar.update_cookies({LOGIN_NONCE_COOKIE: "another-browser-nonce-0123"},
                                             client.make_url("/"))
    response = await client.post("/login", data={"login": "admin", "password": ADMIN_PASSWORD,
                                                 "csrf_token": token})
    assert response.status == 403


async def test_logout_without_the_session_token_is_forbidden(client: TestClient) -> None:
    token = await log_in(client)
    assert (await client.post("/logout")).status == 403
    assert (await client.post("/logout", data={"csrf_token": "x" * len(token)})).status == 403
    # the login form's token is not the session's
    assert (await client.get("/", allow_redirects=False)).status == 200
    header = await client.post("/logout", headers={"X-CSRF-Token": token}, allow_redirects=False)
    assert header.status == 303


async def test_post_to_an_unknown_path_still_needs_the_token(client: TestClient) -> None:
    token = await log_in(client)
    assert (await client.post("/api/stats", data={})).status == 403
    # with the token, the route itself answers (GET only)
    assert (await client.post("/api/stats", data={"csrf_token": token})).status == 405


async def test_the_token_survives_a_failed_login(client: TestClient) -> None:
    token = await login_token(client)
    failed = await client.post("/login", data={"login": "admin", "password": "not-it-at-all",
                                               "csrf_token": token})
    assert failed.status == 401
    ok = await client.post("/login", allow_redirects=False,
                           data={"login": "admin", "password": ADMIN_PASSWORD,
                                 "csrf_token": token})
    assert ok.status == 303
