"""Changing aspa.toml from the settings page: checked whole, written atomically, PIN never shown."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from tests.web import settings_files
from tests.web.conftest import csrf_token_in, log_in
from tests.web.mailbox_config_files import file_bytes as _bytes
from tests.web.mailbox_config_files import file_text as _text
from tests.web.mailbox_config_files import mode_of as _mode
from tests.web.settings_files import OLD_PIN
from tests.web.settings_files import config_checks as _checks
from tests.web.settings_files import names_in as _names

NEW_PIN = "908172"
config_file = settings_files.config_file
edit_client = settings_files.edit_client


async def test_new_business_hours_are_written_keeping_comments(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/business-hours", data={
        "csrf_token": token, "mon": "08:00-11:30, 12:30-16:00", "sat": "10:00-14:00"},
        allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/admin/settings?saved=1#weekly"
    text = _text(config_file)
    assert "# Installed by the image; edit with care." in text
    weekly = tomllib.loads(text)["business_hours"]["weekly"]
    assert weekly["mon"] == ["08:00-11:30", "12:30-16:00"]
    assert weekly["sat"] == ["10:00-14:00"]
    assert _mode(config_file) == 0o640
    assert _names(config_file.parent) == ["aspa.toml"]  # no temp left
    assert _checks(config_file) == 0
    page = await edit_client.get("/admin/settings?saved=1")
    assert "restart Aspa to apply" in await page.text()


async def test_the_api_says_a_restart_is_needed(edit_client: TestClient,
                                                 config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/business-hours",
                                      json={"sun": []}, headers={"X-CSRF-Token": token})
    assert response.status == 200, await response.text()
    assert await response.json() == {"ok": True, "restart_needed": True}
    assert tomllib.loads(_text(config_file))["business_hours"]["weekly"]["sun"] == []


@pytest.mark.parametrize("hours, key", [
    ({"mon": ["08:00-12:00", "11:00-16:00"]}, "business_hours.weekly.mon"),
    ({"tue": ["8 to 4"]}, "business_hours.weekly.tue[0]"),
])
async def test_bad_hours_are_refused_and_the_file_is_untouched(
    edit_client: TestClient, config_file: Path, hours: dict[str, list[str]], key: str
) -> None:
    before = _bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/business-hours", json=hours,
                                      headers={"X-CSRF-Token": token})
    assert response.status == 400
    problems = (await response.json())["problems"]
    assert any(p.startswith(key) for p in problems), problems
    form = await edit_client.post("/admin/settings/business-hours", data={
        "csrf_token": token, **{d: ", ".join(v) for d, v in hours.items()}})
    assert form.status == 400
    assert key in await form.text()
    assert _bytes(config_file) == before


async def test_a_new_pin_is_saved_and_never_shown(edit_client: TestClient,
                                                  config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/modems/1/pin", data={
        "csrf_token": token, "pin": NEW_PIN})
    body = await response.text()
    assert response.status == 200 and "restart Aspa to apply" in body
    assert tomllib.loads(_text(config_file))["gsm"]["modems"][0]["pin"] == NEW_PIN
    assert _checks(config_file) == 0
    bodies = [body]
    for path in ("/admin/settings", "/api/admin/settings"):
        bodies.append(await (await edit_client.get(path)).text())
    bad = await edit_client.post("/api/admin/settings/modems/1/pin", json={"pin": "12ab"},
                                 headers={"X-CSRF-Token": token})
    assert bad.status == 400
    bodies.append(await bad.text())
    assert "gsm.modems[0].pin" in bodies[-1]
    for text in bodies:
        assert NEW_PIN not in text and OLD_PIN not in text and "12ab" not in text
    api = await (await edit_client.get("/api/admin/settings")).json()
    assert api["editable"]["modems"] == [{"number": 1, "name": "gsm0", "pin": "set"}]
    missing = await edit_client.post("/api/admin/settings/modems/2/pin", json={"pin": "1234"},
                                     headers={"X-CSRF-Token": token})
    assert missing.status == 404


async def test_the_setup_line_step_shows_the_pin_state_and_links_to_the_form(
    edit_client: TestClient
) -> None:
    await log_in(edit_client)
    page = await (await edit_client.get("/setup/line")).text()
    assert "gsm0" in page and "SIM PIN" in page and 'href="/admin/settings"' in page
    assert OLD_PIN not in page


async def test_an_agent_and_a_post_without_the_token_are_refused(
    edit_client: TestClient, store: StoreWorker, accounts: Accounts, config_file: Path
) -> None:
    before = _bytes(config_file)
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    admin_token = await log_in(edit_client)
    no_token = await edit_client.post("/admin/settings/modems/1/pin", data={"pin": "1111"})
    assert no_token.status == 403
    await edit_client.post("/logout", data={"csrf_token": admin_token})
    token = await log_in(edit_client, "anna", "anna-salasana-1")
    for path, fields in (("/admin/settings/modems/1/pin", {"pin": "1111"}),
                         ("/admin/settings/business-hours", {"mon": "00:00-24:00"})):
        refused = await edit_client.post(path, data={"csrf_token": token, **fields})
        assert refused.status == 403, path
    assert _bytes(config_file) == before


async def test_without_a_config_file_settings_are_read_only(client: TestClient) -> None:
    token = await log_in(client)
    page = await client.get("/admin/settings")
    assert "read-only" in await page.text()
    assert csrf_token_in(await page.text())
    refused = await client.post("/api/admin/settings/business-hours", json={"mon": []},
                                headers={"X-CSRF-Token": token})
    assert refused.status == 409
    assert "read-only" in (await refused.json())["error"]


async def test_a_ring_group_gets_new_members_strategy_and_timeout(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/ring-groups/1", data={
        "csrf_token": token, "members": "pekka, anna", "strategy": "linear",
        "ring_timeout": "25"}, allow_redirects=False)
    assert response.status == 303
    text = _text(config_file)
    assert "# the office opens at eight" in text
    group = tomllib.loads(text)["ring_groups"][0]
    assert (group["members"], group["strategy"], group["ring_timeout"]) == (
        ["pekka", "anna"], "linear", 25)
    assert _checks(config_file) == 0


@pytest.mark.parametrize("fields, key", [
    ({"strategy": "shout"}, "ring_groups[0].strategy"),
    ({"members": ["anna", "ville"]}, "ring_groups[0].members[1]"),
])
async def test_a_bad_ring_group_is_refused_and_the_file_is_untouched(
    edit_client: TestClient, config_file: Path, fields: dict[str, object], key: str
) -> None:
    before = _bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/ring-groups/1", json=fields,
                                      headers={"X-CSRF-Token": token})
    assert response.status == 400
    problems = (await response.json())["problems"]
    assert any(p.startswith(key) for p in problems), problems
    assert _bytes(config_file) == before
    not_a_number = await edit_client.post("/api/admin/settings/ring-groups/1",
                                          json={"ring_timeout": "soon"},
                                          headers={"X-CSRF-Token": token})
    assert not_a_number.status == 400
    assert _bytes(config_file) == before


def test_the_saved_file_keeps_its_mode_when_private(config_file: Path) -> None:
    from appliance.web.settings.config_edit import edit_config

    config_file.chmod(0o600)
    edit_config(config_file, lambda document: document["gsm"]["modems"][0].update(pin="1234"))
    assert _mode(config_file) == 0o600


async def test_refused_hours_and_ring_groups_show_what_was_typed(
    edit_client: TestClient, config_file: Path
) -> None:
    before = _bytes(config_file)
    token = await log_in(edit_client)
    hours = await edit_client.post("/admin/settings/business-hours", data={
        "csrf_token": token, "mon": '08:00-12:00, "><script>alert(1)</script>',
        "tue": "09:00-15:00"})
    body = await hours.text()
    assert hours.status == 400
    assert 'value="08:00-12:00, &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert 'id="hours-tue" name="tue" value="09:00-15:00"' in body  # typed, not the saved one
    assert "<script>alert" not in body and "<li>Monday: " in body  # its label, not its key
    group = await edit_client.post("/admin/settings/ring-groups/1", data={
        "csrf_token": token, "members": "pekka, ville", "strategy": "shout",
        "ring_timeout": "soon"})
    body = await group.text()
    assert group.status == 400
    assert 'value="pekka, ville"' in body and 'value="soon"' in body
    assert '<option value="shout" selected>' in body
    for label in ("<li>Members (agent logins, in ring order): ",
                  "<li>Strategy: must be one of", "<li>Ring timeout (s): must be a whole number"):
        assert label in body
    assert _bytes(config_file) == before


async def test_a_refused_pin_is_shown_back_only_in_its_answer(edit_client: TestClient,
                                                             config_file: Path) -> None:
    before = _bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/modems/1/pin", data={
        "csrf_token": token, "pin": "98x7"})
    body = await response.text()
    assert response.status == 400
    assert "<li>SIM PIN: " in body and "aspa.toml was not changed" in body
    assert 'value="98x7"' in body and OLD_PIN not in body
    assert "98x7" not in await (await edit_client.get("/admin/settings")).text()
    assert _bytes(config_file) == before
