"""A refused form comes back as it was typed, its password too (in that answer only)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.models import Agent
from appliance.store.worker import StoreWorker
from tests.web.conftest import ADMIN_LOGIN, log_in


async def test_a_refused_new_agent_keeps_what_was_typed(
    client: TestClient, store: StoreWorker
) -> None:
    token = await log_in(client)
    typed = {"name": 'Pekka "<b>" Virtanen', "login": ADMIN_LOGIN, "role": "admin",
             "password": "pekan-salasana-3"}
    response = await client.post("/admin/agents", data={"csrf_token": token, **typed})
    page = await response.text()
    assert response.status == 400
    assert "The agent was not added:" in page
    assert 'value="Pekka &#34;&lt;b&gt;&#34; Virtanen"' in page and "<b>" not in page
    assert f'value="{ADMIN_LOGIN}"' in page and 'value="pekan-salasana-3"' in page
    assert '<option value="admin" selected>' in page
    assert await store.call(lambda: Agent.select().count()) == 1
    again = await (await client.get("/admin/agents")).text()
    assert "pekan-salasana-3" not in again
    api = await client.post("/api/admin/agents", json=typed, headers={"X-CSRF-Token": token})
    assert api.status == 400 and "error" in await api.json()


async def test_a_missing_field_is_named_by_its_label_in_the_persons_language(
    client: TestClient
) -> None:
    token = await log_in(client)
    english = await client.post("/admin/agents", data={
        "csrf_token": token, "name": "Pekka", "login": "", "role": "agent",
        "password": "pekan-salasana-3"})
    assert "The agent was not added: Login: required" in await english.text()
    await client.post("/language", data={"csrf_token": token, "language": "fi"})
    finnish = await client.post("/admin/agents", data={
        "csrf_token": token, "name": "x" * 201, "login": "pekka", "role": "agent",
        "password": "pekan-salasana-3"})
    assert "Nimi: liian pitkä: enintään 200 merkkiä" in await finnish.text()
    api = await client.post("/api/admin/agents", headers={"X-CSRF-Token": token}, json={
        "name": "Pekka", "login": "", "role": "agent", "password": "pekan-salasana-3"})
    assert (await api.json())["error"] == "login is required"  # the API names the key
