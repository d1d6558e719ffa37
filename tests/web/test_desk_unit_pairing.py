"""Pairing desk units from the settings page: a new unit's login shown once, kept private,
re-paired and removed through the same checked write of aspa.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.config.aspa_toml import load_config
from tests.web import settings_files
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import file_bytes, file_text, mode_of
from tests.web.settings_files import (
    OLD_DESK_PASSWORD,
    SECRETS,
    config_checks,
    names_in,
)

config_file = settings_files.config_file
edit_client = settings_files.edit_client

_SHOWN_PASSWORD = re.compile(r"<th>Password</th><td><code>([A-Za-z0-9_-]{24})</code>")


def _units(path: Path) -> list[dict[str, str]]:
    units: list[dict[str, str]] = tomllib.loads(file_text(path)).get("desk_units", [])
    return units


async def test_a_new_unit_gets_a_login_shown_once(edit_client: TestClient,
                                                 config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/desk-units", data={
        "csrf_token": token, "id": "desk-pekka", "agent": "pekka"})
    body = await response.text()
    assert response.status == 200, body
    assert response.headers["Cache-Control"] == "no-store"
    match = _SHOWN_PASSWORD.search(body)
    assert match, body
    password = match.group(1)
    assert "sudo mosquitto_passwd /etc/mosquitto/aspa.passwd desk-pekka" in body
    assert '&#34;unit&#34;: &#34;desk-pekka&#34;' in body  # the config.json lines
    secret = config_file.parent / "desk-pekka.password"
    assert file_text(secret) == password + "\n" and mode_of(secret) == 0o600
    assert _units(config_file)[1] == {"id": "desk-pekka", "agent": "pekka",
                                      "password_file": "desk-pekka.password"}
    assert "# by the window" in file_text(config_file)
    assert config_checks(config_file) == 0
    unit = load_config(config_file).desk_units[1]
    assert (unit.id, unit.agent, unit.password) == ("desk-pekka", "pekka", password)
    for path in ("/admin/settings", "/api/admin/settings"):
        later = await (await edit_client.get(path)).text()
        assert password not in later and OLD_DESK_PASSWORD not in later
        assert "desk-pekka" in later
    api = await (await edit_client.get("/api/admin/settings")).json()
    assert api["editable"]["desk_units"][1] == {"number": 2, "id": "desk-pekka",
                                                "agent": "pekka", "password": "set"}


async def test_the_api_pairs_a_unit_and_answers_its_login(edit_client: TestClient,
                                                         config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/desk-units",
                                      json={"id": "desk-2", "agent": "anna"},
                                      headers={"X-CSRF-Token": token})
    data = await response.json()
    assert response.status == 200 and data["ok"] is True and data["restart_needed"] is True
    assert (data["unit"], data["agent"], data["box"]) == ("desk-2", "anna", "aspa")
    assert data["password"] == file_text(config_file.parent / "desk-2.password").strip()
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_refused_unit_is_shown_as_typed_and_nothing_is_written(
    edit_client: TestClient, config_file: Path
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    unit_id, agent = "<li>Unit id (lowercase letters, digits and -): ", "<li>Agent: "
    cases = [({"id": "../etc/passwd", "agent": "anna"}, unit_id, "../etc/passwd"),
             ({"id": "<b>x</b>", "agent": "anna"}, unit_id, "&lt;b&gt;x&lt;/b&gt;"),
             ({"id": "desk-ville", "agent": "ville"}, agent, "desk-ville"),
             ({"id": "desk-anna", "agent": "pekka"}, unit_id, "desk-anna"),
             ({"id": "aspa", "agent": "pekka"}, unit_id, "own MQTT user name")]
    for form, key, shown in cases:
        response = await edit_client.post("/admin/settings/desk-units",
                                          data={"csrf_token": token, **form})
        body = await response.text()
        assert response.status == 400, form
        assert key in body and shown in body, form
        assert "<b>x</b>" not in body
        assert _SHOWN_PASSWORD.search(body) is None
        assert file_bytes(config_file) == before
        assert names_in(config_file.parent) == ["aspa.toml"]
    as_json = await edit_client.post("/api/admin/settings/desk-units",
                                     json={"id": "Desk Anna", "agent": "anna"},
                                     headers={"X-CSRF-Token": token})
    assert as_json.status == 400
    data = await as_json.json()
    assert "password" not in data and data["problems"][0].startswith("desk_units[1].id")


async def test_a_unit_is_re_paired_and_removed_with_its_password_file(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    added = await edit_client.post("/api/admin/settings/desk-units",
                                   json={"id": "desk-3", "agent": "anna"},
                                   headers={"X-CSRF-Token": token})
    assert added.status == 200
    paired = await edit_client.post("/admin/settings/desk-units/desk-3", data={
        "csrf_token": token, "agent": "pekka"}, allow_redirects=False)
    assert paired.status == 303
    assert paired.headers["Location"] == "/admin/settings?saved=1#desk-units"
    assert _units(config_file)[1]["agent"] == "pekka"
    assert "# by the window" in file_text(config_file)
    before = file_bytes(config_file)
    wrong = await edit_client.post("/admin/settings/desk-units/desk-3", data={
        "csrf_token": token, "agent": "<i>nobody</i>"})
    body = await wrong.text()
    assert wrong.status == 400 and "<li>Agent: " in body
    assert "&lt;i&gt;nobody&lt;/i&gt;" in body and "<i>nobody" not in body
    assert file_bytes(config_file) == before
    removed = await edit_client.post("/admin/settings/desk-units/desk-3/remove",
                                     data={"csrf_token": token}, allow_redirects=False)
    assert removed.status == 303
    assert [u["id"] for u in _units(config_file)] == ["desk-anna"]
    assert names_in(config_file.parent) == ["aspa.toml"]
    assert config_checks(config_file) == 0
    old = await edit_client.post("/api/admin/settings/desk-units/desk-anna/remove", json={},
                                 headers={"X-CSRF-Token": token})
    assert old.status == 200
    assert _units(config_file) == []
    assert config_checks(config_file) == 0
    missing = await edit_client.post("/api/admin/settings/desk-units/desk-9/remove", json={},
                                     headers={"X-CSRF-Token": token})
    assert missing.status == 404
    page = await (await edit_client.get("/admin/settings")).text()
    for secret_text in SECRETS:
        assert secret_text not in page


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


async def test_a_file_already_beside_the_config_is_never_overwritten(
    edit_client: TestClient, config_file: Path
) -> None:
    other = config_file.parent / "desk-4.password"
    _write(other, "someone else's secret\n")
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/desk-units",
                                      json={"id": "desk-4", "agent": "anna"},
                                      headers={"X-CSRF-Token": token})
    assert response.status == 400
    assert (await response.json())["problems"][0].startswith("desk_units[1].password_file")
    assert file_text(other) == "someone else's secret\n"
    assert file_bytes(config_file) == before
