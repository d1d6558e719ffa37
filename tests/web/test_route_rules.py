"""Rules that hold on every route: login wall, CSRF on every POST, admin-only areas."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.test_utils import TestClient

from appliance.store.accounts import Accounts
from appliance.store.models import Agent
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in, open_sample_ticket

# Sample values for the path parameters, pointing at rows the fixture makes.
SAMPLE = {"number": "1001", "id": "1", "step": "line", "prompt": "greeting", "language": "fi"}


def _routes(client: TestClient, method: str) -> list[str]:
    app: web.Application = client.server.app  # type: ignore[assignment]
    paths = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if route.method != method or not path or path.startswith("/static"):
            continue
        paths.append(re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path))
    assert paths, f"no {method} routes found"
    return sorted(set(paths))


PUBLIC_GETS = {"/login", "/api/login", "/wall/pair"}  # /wall/pair: a TV pairs without login


async def test_every_page_needs_a_login(client: TestClient) -> None:
    for path in _routes(client, "GET"):
        if path in PUBLIC_GETS:
            continue
        response = await client.get(path, allow_redirects=False)
        if path.startswith("/api/"):
            assert response.status == 401, path
        else:
            assert response.status == 302, path
            assert response.headers["Location"].startswith("/login"), path


async def test_every_post_without_the_csrf_token_is_forbidden(
    client: TestClient, store: StoreWorker, tickets: TicketBook
) -> None:
    await open_sample_ticket(tickets)
    await log_in(client)
    for path in _routes(client, "POST"):
        form = await client.post(path, data={"body": "x", "status": "closed"},
                                 allow_redirects=False)
        assert form.status == 403, path
        as_json = await client.post(path, json={"body": "x"}, allow_redirects=False)
        assert as_json.status == 403, path
    # nothing changed: the ticket is still new and has no messages
    page = await client.get("/api/tickets/1001")
    data = await page.json()
    assert data["ticket"]["status"] == "new"
    assert [e for e in data["timeline"] if e["kind"] != "email"] == []


async def test_every_page_answers_a_logged_in_admin(
    client: TestClient, tickets: TicketBook
) -> None:
    await open_sample_ticket(tickets)
    await log_in(client)
    for path in _routes(client, "GET"):
        if path in ("/events", "/login", "/setup", "/attachments/1", "/attachments/1/play",
                    "/messages/1/html",
                    "/quarantine/1", "/after-calls/1", "/api/after-calls/1"):
            continue  # a stream; pages that send on; rows this fixture does not make
        response = await client.get(path, allow_redirects=False)
        assert response.status in (200, 302), (path, response.status, await response.text())


async def test_admin_areas_refuse_an_agent(client: TestClient, store: StoreWorker,
                                           accounts: Accounts) -> None:
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    token = await log_in(client, "anna", "anna-salasana-1")
    for path in ("/admin/agents", "/admin/settings", "/quarantine", "/api/admin/agents",
                 "/api/quarantine"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    refused = await client.post("/admin/agents", data={
        "csrf_token": token, "name": "Evil", "login": "evil", "role": "admin",
        "password": "12345678x"})
    assert refused.status == 403
    agents = await store.call(lambda: [a.login for a in Agent.select()])
    assert "evil" not in agents
    assert (await client.get("/", allow_redirects=False)).status == 200
