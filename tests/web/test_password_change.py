"""Changing a password on the page ends every session of that account, at once."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.conftest import ADMIN_PASSWORD, log_in


async def test_my_new_password_logs_out_my_other_browsers(
    client: TestClient, backend: StoreWebBackend
) -> None:
    token = await log_in(client)
    async with TestClient(TestServer(client.server.app)) as other:  # type: ignore[arg-type]
        await log_in(other)
        wrong = await client.post("/password", data={
            "csrf_token": token, "current": "not-my-password", "new": "uusi-salasana-9",
            "new2": "uusi-salasana-9"})
        assert wrong.status == 403
        changed = await client.post("/password", allow_redirects=False, data={
            "csrf_token": token, "current": ADMIN_PASSWORD, "new": "uusi-salasana-9",
            "new2": "uusi-salasana-9"})
        assert (changed.status, changed.headers["Location"]) == (303, "/login?done=password")
        assert (await client.get("/api/queue")).status == 401
        assert (await other.get("/api/queue")).status == 401
        await log_in(other, password="uusi-salasana-9")


async def test_an_admin_resetting_a_password_logs_that_agent_out(
    client: TestClient, store: StoreWorker, accounts: Accounts,
) -> None:
    anna = await store.call(accounts.add_user, "Anna", "anna", "agent", "anna-salasana-1")
    async with TestClient(TestServer(client.server.app)) as annas:  # type: ignore[arg-type]
        await log_in(annas, "anna", "anna-salasana-1")
        token = await log_in(client)
        reset = await client.post(f"/api/admin/agents/{anna.id}", json={
            "password": "annan-uusi-1"}, headers={"X-CSRF-Token": token})
        assert reset.status == 200
        assert (await annas.get("/api/queue")).status == 401
        await log_in(annas, "anna", "annan-uusi-1")
        deactivated = await client.post(f"/api/admin/agents/{anna.id}", json={"active": "0"},
                                        headers={"X-CSRF-Token": token})
        assert deactivated.status == 200
        assert (await annas.get("/api/queue")).status == 401
        login = await annas.get("/api/login")
        again = await annas.post("/api/login", json={"login": "anna", "password": "annan-uusi-1"},
                                 headers={"X-CSRF-Token": (await login.json())["csrf_token"]})
        assert again.status == 401


async def test_api_logout_answers_json(client: TestClient) -> None:
    token = await log_in(client)
    response = await client.post("/api/logout", headers={"X-CSRF-Token": token})
    assert (response.status, await response.json()) == (200, {"ok": True})
    assert (await client.get("/api/queue")).status == 401

