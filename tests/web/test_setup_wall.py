"""First boot: with no admin, every page leads to /setup, which makes exactly one admin."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.clock import ManualClock
from appliance.store.models import Agent
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.web.board_backend import board_backend
from tests.web.conftest import csrf_token_in


@pytest.fixture
async def fresh_client(store: StoreWorker, clock: ManualClock) -> AsyncIterator[TestClient]:
    backend = await board_backend(store, clock)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _setup_token(client: TestClient) -> str:
    page = await client.get("/setup")
    assert page.status == 200
    return csrf_token_in(await page.text())


async def test_every_page_leads_to_setup_until_an_admin_exists(
    fresh_client: TestClient, store: StoreWorker
) -> None:
    for path in ("/", "/login", "/tickets/1001", "/wallboard"):
        response = await fresh_client.get(path, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (302, "/setup"), path
    api = await fresh_client.get("/api/queue")
    assert api.status == 503
    token = await _setup_token(fresh_client)
    mismatch = await fresh_client.post("/setup", data={
        "csrf_token": token, "name": "Olli", "login": "olli", "password": "hyvä-salasana",
        "password2": "toinen-salasana"})
    assert mismatch.status == 400
    assert "The passwords do not match." in await mismatch.text()
    made = await fresh_client.post("/setup", allow_redirects=False, data={
        "csrf_token": token, "name": "Olli", "login": "olli", "password": "hyvä-salasana",
        "password2": "hyvä-salasana"})
    assert (made.status, made.headers["Location"]) == (303, "/setup/line")
    step = await fresh_client.get("/setup/line")
    assert step.status == 200 and "[gsm]" in await step.text()
    admins = await store.call(lambda: [(a.login, a.role) for a in Agent.select()])
    assert admins == [("olli", "admin")]
    # the wall is down: the queue opens, and /setup cannot make a second admin
    assert (await fresh_client.get("/", allow_redirects=False)).status == 200
    other = await fresh_client.post("/setup", headers={"X-CSRF-Token": token}, data={
        "name": "Eve", "login": "eve", "password": "eve-salasana", "password2": "eve-salasana"})
    assert other.status == 403  # the session's token is needed now; and then:
    session_token = csrf_token_in(await (await fresh_client.get("/")).text())
    again = await fresh_client.post("/setup", data={
        "csrf_token": session_token, "name": "Eve", "login": "eve",
        "password": "eve-salasana", "password2": "eve-salasana"})
    assert again.status == 409
    assert await store.call(lambda: Agent.select().count()) == 1


async def test_setup_needs_the_csrf_token(fresh_client: TestClient, store: StoreWorker) -> None:
    response = await fresh_client.post("/setup", data={
        "name": "Eve", "login": "eve", "password": "eve-salasana", "password2": "eve-salasana"})
    assert response.status == 403
    assert await store.call(lambda: Agent.select().count()) == 0
