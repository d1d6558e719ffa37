"""Each agent's own sender name and signature: saved on their page, kept when refused."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from appliance.store.models import Agent
from appliance.store.reply_identity import SIGNATURE_MAX_CHARS
from appliance.store.worker import StoreWorker
from tests.web.conftest import log_in


async def test_the_signature_is_saved_and_shown_again(
    client: TestClient, store: StoreWorker, admin_id: int
) -> None:
    token = await log_in(client)
    page = await (await client.get("/password")).text()
    assert "Customers see the sender as: Admin Example" in page
    saved = await client.post("/profile/replies", data={
        "csrf_token": token, "sender_name": "Aino <Asiakastuki>",
        "signature": "Aino\nYritys Oy <b>tuki</b>"})
    page = await saved.text()
    assert "Saved: your next replies are signed this way." in page
    assert 'value="Aino &lt;Asiakastuki&gt;"' in page
    assert "Yritys Oy &lt;b&gt;tuki&lt;/b&gt;</textarea>" in page and "<b>tuki" not in page
    row = await store.call(Agent.get_by_id, admin_id)
    assert (row.sender_name, row.signature) == ("Aino <Asiakastuki>",
                                                "Aino\nYritys Oy <b>tuki</b>")
    api = await client.post("/api/profile/replies", json={"sender_name": "", "signature": ""},
                            headers={"X-CSRF-Token": token})
    assert (await api.json())["ok"] is True
    row = await store.call(Agent.get_by_id, admin_id)
    assert (row.sender_name, row.signature) == (None, None)


async def test_a_too_long_signature_is_refused_and_kept(
    client: TestClient, store: StoreWorker, admin_id: int
) -> None:
    token = await log_in(client)
    await client.post("/language", data={"csrf_token": token, "language": "fi"})
    long = "x" * (SIGNATURE_MAX_CHARS + 1)
    response = await client.post("/profile/replies", data={
        "csrf_token": token, "sender_name": "Aino", "signature": long})
    page = await response.text()
    assert response.status == 400
    assert f"Ei tallennettu: Allekirjoitus: liian pitkä: enintään {SIGNATURE_MAX_CHARS}" in page
    assert long in page and 'value="Aino"' in page
    row = await store.call(Agent.get_by_id, admin_id)
    assert row.signature is None
    forged = await client.post("/profile/replies", data={"sender_name": "x", "signature": ""})
    assert forged.status == 403
