"""Holidays, MQTT, backups and retention from the settings page: saved into aspa.toml with its
comments, refused forms shown as typed with the file untouched, secrets never shown."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from appliance.config.aspa_toml import load_config
from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from tests.web import settings_files
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import file_bytes, file_text, mode_of
from tests.web.settings_files import (
    OLD_MQTT_PASSWORD,
    SECRETS,
    config_checks,
    names_in,
)

config_file = settings_files.config_file
edit_client = settings_files.edit_client
read_only_client = settings_files.read_only_client

NEW_MQTT_PASSWORD = "uusi-mqtt-salasana-31"
SCRIPT = '"><script>alert(1)</script>'
ESCAPED_SCRIPT = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"

# (path, a valid form, the key it changes, the value the loader then reads)
SECTIONS = [
    ("/admin/settings/holidays", {"holidays": "12-24\n12-25\n2026-06-19"},
     ("business_hours", "holidays"), ["12-24", "12-25", "2026-06-19"]),
    ("/admin/settings/holidays", {"holidays": "2026-12-24\n2026-12-31, 2027-01-06"},
     ("business_hours", "holidays"), ["2026-12-24", "2026-12-31", "2027-01-06"]),
    ("/admin/settings/half-days", {"half_days": "12-23 08:00-12:00\n"
                                                "2026-06-18 08:00-10:00, 11:00-12:00"},
     ("business_hours", "half_days"),
     ["12-23 08:00-12:00", "2026-06-18 08:00-10:00, 11:00-12:00"]),
    ("/admin/settings/backup", {"target": "/mnt/nas/aspa", "at": "23:45", "keep": "14",
                                "require_mount": "0"},
     ("backup", "keep"), 14),
    ("/admin/settings/backup", {"at": " 04:05 "}, ("backup", "at"), "04:05"),
    ("/admin/settings/retention", {"closed_tickets_days": "365", "audit_days": "0"},
     ("retention", "closed_tickets_days"), 365),
    ("/admin/settings/mqtt", {"enabled": "1", "host": "broker.example.fi", "port": "8883",
                              "tls": "1", "username": "toimisto", "topic_prefix": "yritys/aspa",
                              "discovery": "0", "discovery_prefix": "ha"},
     ("mqtt", "host"), "broker.example.fi"),
]
# (path, a form the loader refuses, the key it names, the typed text shown back)
REFUSED = [
    ("/admin/settings/holidays", {"holidays": "2026-02-30"},
     "business_hours.holidays[0]", "2026-02-30"),
    ("/admin/settings/holidays", {"holidays": SCRIPT}, "business_hours.holidays[0]", SCRIPT),
    ("/admin/settings/half-days", {"half_days": "12-24 12:00-08:00"},
     "business_hours.half_days", "12-24 12:00-08:00"),
    ("/admin/settings/half-days", {"half_days": SCRIPT}, "business_hours.half_days", SCRIPT),
    ("/admin/settings/backup", {"target": SCRIPT, "keep": "3"}, "backup.target", SCRIPT),
    ("/admin/settings/backup", {"keep": "many"}, "backup.keep", "many"),
    ("/admin/settings/backup", {"at": "24:00", "keep": "3"}, "backup.at", "24:00"),
    ("/admin/settings/backup", {"at": SCRIPT[:16]}, "backup.at", SCRIPT[:16]),
    ("/admin/settings/backup", {"at": ""}, "backup.at", ""),
    ("/admin/settings/retention", {"sms_days": "-1"}, "retention.sms_days", "-1"),
    ("/admin/settings/retention", {"audit_days": SCRIPT}, "retention.audit_days", SCRIPT),
    ("/admin/settings/mqtt", {"port": "70000", "host": "mqtt.example.fi"}, "mqtt.port", "70000"),
    ("/admin/settings/mqtt", {"topic_prefix": SCRIPT}, "mqtt.topic_prefix", SCRIPT),
]


def _saved(path: Path) -> dict[str, object]:
    return tomllib.loads(file_text(path))


def _value(data: dict[str, object], keys: tuple[str, str]) -> object:
    section = data[keys[0]]
    assert isinstance(section, dict)
    return section[keys[1]]


def _shown(text: str, body: str) -> bool:
    """Whether `text`, escaped as the page escapes it, is in the page."""
    escaped = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&#34;").replace("'", "&#39;"))
    return escaped in body


@pytest.mark.parametrize("path, form, keys, expected", SECTIONS)
async def test_each_section_is_saved_keeping_the_comments(
    edit_client: TestClient, config_file: Path, path: str, form: dict[str, str],
    keys: tuple[str, str], expected: object
) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post(path, data={"csrf_token": token, **form},
                                      allow_redirects=False)
    assert response.status == 303, await response.text()
    assert response.headers["Location"].startswith("/admin/settings?saved=1#")
    text = file_text(config_file)
    for comment in ("# Installed by the image; edit with care.", "# Christmas Eve",
                    "# the USB stick in the back", "# agreed with the DPO", "# by the window"):
        assert comment in text
    assert _value(_saved(config_file), keys) == expected
    assert config_checks(config_file) == 0
    assert names_in(config_file.parent) == ["aspa.toml"]
    page = await (await edit_client.get("/admin/settings?saved=1")).text()
    assert "restart Aspa to apply" in page


async def test_the_saved_values_are_what_the_loader_reads(edit_client: TestClient,
                                                         config_file: Path) -> None:
    token = await log_in(edit_client)
    for path, form, _, _ in SECTIONS:
        response = await edit_client.post(path, data={"csrf_token": token, **form})
        assert response.status == 200, path
    config = load_config(config_file)
    assert [str(d) for d in config.business_hours.holidays] == ["2026-12-24", "2026-12-31",
                                                                 "2027-01-06"]
    assert (config.backup.target, config.backup.at, config.backup.keep,
            config.backup.require_mount) == ("/mnt/nas/aspa", "04:05", 14, False)
    assert (config.retention.closed_tickets_days, config.retention.audit_days,
            config.retention.quarantine_days) == (365, 0, 30)
    mqtt = config.mqtt
    assert (mqtt.enabled, mqtt.host, mqtt.port, mqtt.tls, mqtt.username, mqtt.topic_prefix,
            mqtt.discovery, mqtt.discovery_prefix) == (
        True, "broker.example.fi", 8883, True, "toimisto", "yritys/aspa", False, "ha")
    assert mqtt.password == OLD_MQTT_PASSWORD  # an empty password field keeps the old one
    page = await (await edit_client.get("/admin/settings")).text()
    assert 'value="broker.example.fi"' in page and 'value="/mnt/nas/aspa"' in page
    assert "2027-01-06" in page
    assert 'name="at" value="04:05"' in page
    assert "apply when Aspa restarts" in page  # the running settings are the old ones


@pytest.mark.parametrize("path, form, key, typed", REFUSED)
async def test_a_refused_form_shows_what_was_typed_and_changes_nothing(
    edit_client: TestClient, config_file: Path, path: str, form: dict[str, str], key: str,
    typed: str
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post(path, data={"csrf_token": token, **form})
    body = await response.text()
    assert response.status == 400
    assert key in body
    assert _shown(typed, body), typed
    assert "<script>alert" not in body
    assert "aspa.toml was not changed" in body
    assert file_bytes(config_file) == before
    assert names_in(config_file.parent) == ["aspa.toml"]
    as_json = await edit_client.post(f"/api{path}", json=form, headers={"X-CSRF-Token": token})
    assert as_json.status == 400
    assert any(p.startswith(key) for p in (await as_json.json())["problems"])
    assert file_bytes(config_file) == before


async def test_a_half_day_that_closes_before_it_opens_is_refused_in_finnish(
    edit_client: TestClient, config_file: Path
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post(
        "/admin/settings/half-days", headers={"Accept-Language": "fi-FI,fi;q=0.9"},
        data={"csrf_token": token, "half_days": "12-24 08:00-12:00\n12-31 12:00-08:00"})
    body = await response.text()
    assert response.status == 400
    assert "Lyhennetyt päivät: &#39;12:00-08:00&#39; sulkeutuu ennen kuin aukeaa" in body
    assert "12-31 12:00-08:00" in body  # what was typed stays in the form
    assert file_bytes(config_file) == before


async def test_a_new_mqtt_password_goes_into_a_private_file_and_is_never_shown(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    bodies = []
    response = await edit_client.post("/admin/settings/mqtt", data={
        "csrf_token": token, "password": NEW_MQTT_PASSWORD, "host": "127.0.0.1"})
    assert response.status == 200
    bodies.append(await response.text())
    secret = config_file.parent / "mqtt-password"
    assert file_text(secret) == NEW_MQTT_PASSWORD + "\n"
    assert mode_of(secret) == 0o600
    mqtt = _saved(config_file)["mqtt"]
    assert isinstance(mqtt, dict)
    assert mqtt["password_file"] == "mqtt-password" and "password" not in mqtt
    assert "# The box's own Mosquitto on loopback." in file_text(config_file)
    assert load_config(config_file).mqtt.password == NEW_MQTT_PASSWORD
    assert config_checks(config_file) == 0
    # refused with a new password typed: neither file changes; the password is shown back
    # in this answer only, so that it need not be typed again
    before = file_bytes(config_file)
    refused = await edit_client.post("/admin/settings/mqtt", data={
        "csrf_token": token, "password": "kolmas-salasana-55", "port": "0"})
    assert refused.status == 400
    assert 'value="kolmas-salasana-55"' in await refused.text()
    assert file_bytes(config_file) == before and file_text(secret) == NEW_MQTT_PASSWORD + "\n"
    assert names_in(config_file.parent) == ["aspa.toml", "mqtt-password"]
    for path in ("/admin/settings", "/api/admin/settings", "/setup/line"):
        bodies.append(await (await edit_client.get(path)).text())
    api = await (await edit_client.get("/api/admin/settings")).json()
    assert api["editable"]["mqtt"]["password"] == "set"
    for body in bodies:
        for secret_text in (*SECRETS, NEW_MQTT_PASSWORD):
            assert secret_text not in body
    forgotten = await edit_client.post("/api/admin/settings/mqtt", json={
        "forget_password": True, "username": ""}, headers={"X-CSRF-Token": token})
    assert forgotten.status == 200, await forgotten.text()
    mqtt = _saved(config_file)["mqtt"]
    assert isinstance(mqtt, dict)
    assert "password" not in mqtt and "password_file" not in mqtt and mqtt["username"] == ""


async def test_the_api_changes_only_the_keys_it_is_given(edit_client: TestClient,
                                                        config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/api/admin/settings/mqtt", json={"discovery": False},
                                      headers={"X-CSRF-Token": token})
    assert await response.json() == {"ok": True, "restart_needed": True}
    mqtt = _saved(config_file)["mqtt"]
    assert isinstance(mqtt, dict)
    assert mqtt["discovery"] is False and mqtt["enabled"] is True
    assert mqtt["password"] == OLD_MQTT_PASSWORD
    nothing = await edit_client.post("/api/admin/settings/retention", json={},
                                     headers={"X-CSRF-Token": token})
    assert nothing.status == 400
    not_a_value = await edit_client.post("/api/admin/settings/backup", json={"keep": None},
                                         headers={"X-CSRF-Token": token})
    assert not_a_value.status == 400


NEW_ROUTES = [("/admin/settings/holidays", {"holidays": "2026-12-25"}),
              ("/admin/settings/mqtt", {"host": "evil.example"}),
              ("/admin/settings/backup", {"keep": "2"}),
              ("/admin/settings/retention", {"sms_days": "1"}),
              ("/admin/settings/desk-units", {"id": "desk-x", "agent": "anna"}),
              ("/admin/settings/desk-units/desk-anna", {"agent": "pekka"}),
              ("/admin/settings/desk-units/desk-anna/remove", {})]


async def test_without_the_token_or_as_an_agent_nothing_changes(
    edit_client: TestClient, config_file: Path, store: StoreWorker, accounts: Accounts
) -> None:
    before = file_bytes(config_file)
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    admin_token = await log_in(edit_client)
    for path, form in NEW_ROUTES:
        no_token = await edit_client.post(path, data=form)
        assert no_token.status == 403, path
        wrong_token = await edit_client.post(path, data={"csrf_token": "x" * 43, **form})
        assert wrong_token.status == 403, path
    await edit_client.post("/logout", data={"csrf_token": admin_token})
    token = await log_in(edit_client, "anna", "anna-salasana-1")
    for path, form in NEW_ROUTES:
        refused = await edit_client.post(path, data={"csrf_token": token, **form})
        assert refused.status == 403, path
        as_json = await edit_client.post(f"/api{path}", json=form,
                                         headers={"X-CSRF-Token": token})
        assert as_json.status == 403, path
    page = await edit_client.get("/admin/settings")
    assert page.status == 403
    assert file_bytes(config_file) == before
    assert names_in(config_file.parent) == ["aspa.toml"]


async def test_a_box_without_a_config_file_shows_the_forms_read_only(
    read_only_client: TestClient, config_file: Path
) -> None:
    before = file_bytes(config_file)
    token = await log_in(read_only_client)
    page = await (await read_only_client.get("/admin/settings")).text()
    assert "Read-only: Aspa was started without aspa.toml." in page
    assert page.count("<fieldset disabled>") >= 6
    assert 'value="/media/aspa-backup"' in page  # the running values, to read
    for secret_text in SECRETS:
        assert secret_text not in page
    for path, form in NEW_ROUTES:
        refused = await read_only_client.post(path, data={"csrf_token": token, **form})
        assert refused.status == 409, path
        assert "read-only" in await refused.text()
    assert file_bytes(config_file) == before
    assert names_in(config_file.parent) == ["aspa.toml"]


async def test_the_backup_time_of_day_is_a_field_in_both_languages(
    edit_client: TestClient, config_file: Path
) -> None:
    token = await log_in(edit_client)
    page = await (await edit_client.get("/admin/settings")).text()
    assert '<label for="backup-at">Time of day (HH:MM)</label>' in page
    assert 'id="backup-at" name="at" value="02:30"' in page  # the default
    assert "once a day at the time below (Europe/Helsinki)" in page
    refused = await edit_client.post("/admin/settings/backup", data={
        "csrf_token": token, "at": "2.30", "keep": "5"})
    body = await refused.text()
    assert refused.status == 400
    assert "Time of day (HH:MM): must be a time of day as HH:MM" in body
    assert 'name="at" value="2.30"' in body and 'name="keep" value="5"' in body
    await edit_client.post("/language", data={"csrf_token": token, "language": "fi",
                                              "next": "/admin/settings"})
    finnish = await (await edit_client.get("/admin/settings")).text()
    assert '<label for="backup-at">Kellonaika (TT:MM)</label>' in finnish
    assert "kerran päivässä alla olevaan aikaan (Europe/Helsinki)" in finnish
