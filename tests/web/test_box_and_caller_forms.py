"""This box and what callers are told, from the settings page: saved into aspa.toml with its
comments; a refused form comes back as typed, the field named in the person's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from appliance.config.aspa_toml import load_config
from tests.web import settings_files
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import file_text
from tests.web.settings_files import config_checks

config_file = settings_files.config_file
edit_client = settings_files.edit_client

FINNISH = {"Accept-Language": "fi-FI,fi;q=0.9"}
NEW_SMS = "Soitamme pian takaisin. <Tuki & Huolto>"


def _escaped(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


async def test_the_box_form_is_saved_keeping_the_comments(edit_client: TestClient,
                                                          config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/box", allow_redirects=False, data={
        "csrf_token": token, "name": "toimisto-2", "language": "fi",
        "time_zone": "Europe/Stockholm", "country_code": "46"})
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/admin/settings?saved=1#box"
    assert "# Installed by the image; edit with care." in file_text(config_file)
    box = load_config(config_file).box
    assert (box.name, box.language, box.time_zone, box.country_code) == (
        "toimisto-2", "fi", "Europe/Stockholm", 46)
    page = await (await edit_client.get("/admin/settings?saved=1")).text()
    assert 'value="Europe/Stockholm"' in page and '<option value="Europe/Helsinki">' in page
    # this file's business hours keep their own zone: the form says what follows which
    assert "The business hours keep a time zone of their own, Europe/Helsinki" in page
    assert config_checks(config_file) == 0


async def test_the_callers_form_is_saved_and_read_back(edit_client: TestClient,
                                                       config_file: Path) -> None:
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/settings/callers", allow_redirects=False, data={
        "csrf_token": token, "sms_fi": NEW_SMS, "sms_en": "We will call you back soon.",
        "closed_sms_fi": "Suljettu.", "closed_sms_en": "Closed.", "sms_on_callback": "1",
        "sms_when_closed": "0", "language": "en", "default_group": "tuki",
        "waiting_calls": "busy", "announce_every_seconds": "60", "keypad_menu": "0",
        "choice_timeout_seconds": "15", "voicemail_max_seconds": "90",
        "callback_retry_minutes": "10, 30,120", "missed_offers_pause": "2",
        "assumed_talk_seconds": "240", "service_level_seconds": "20"})
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/admin/settings?saved=1#callers"
    config = load_config(config_file)
    calls = config.calls
    assert (calls.sms_fi, calls.closed_sms_en, calls.language) == (NEW_SMS, "Closed.", "en")
    assert (calls.sms_on_callback, calls.sms_when_closed, calls.keypad_menu) == (
        True, False, False)
    assert calls.callback_retry_minutes == [10, 30, 120]
    assert (calls.announce_every_seconds, calls.choice_timeout_seconds,
            calls.voicemail_max_seconds, calls.missed_offers_pause, calls.assumed_talk_seconds,
            calls.service_level_seconds, calls.waiting_calls) == (60, 15, 90, 2, 240, 20, "busy")
    assert config.queue.default_group == "tuki"
    assert "# Pekka joins in the autumn" in file_text(config_file)
    page = await (await edit_client.get("/admin/settings")).text()
    assert _escaped(NEW_SMS) in page and NEW_SMS not in page  # shown, escaped
    assert 'value="10, 30, 120"' in page


# (path, form, the label named in Finnish, what is wrong in Finnish, the typed text shown)
REFUSED = [
    ("/admin/settings/box", {"time_zone": "Mars/Olympus"}, "Aikavyöhyke",
     "tuntematon aikavyöhyke 'Mars/Olympus'", "Mars/Olympus"),
    ("/admin/settings/box", {"name": "Toimisto 2"}, "Laitteen nimi",
     "pitää olla pieniä kirjaimia", "Toimisto 2"),
    ("/admin/settings/box", {"country_code": "0"}, "Maan suuntanumero", "pitää olla vähintään 1",
     "0"),
    ("/admin/settings/callers", {"callback_retry_minutes": "15, soon"},
     "Takaisinsoiton uusintayritykset (minuuttia)", "pitää olla kokonaisluku", "15, soon"),
    ("/admin/settings/callers", {"callback_retry_minutes": "60, 15"},
     "Takaisinsoiton uusintayritykset (minuuttia)", "viiveet eivät saa lyhetä", "60, 15"),
    ("/admin/settings/callers", {"callback_retry_minutes": ""},
     "Takaisinsoiton uusintayritykset (minuuttia)", "anna vähintään yksi viive", ""),
    ("/admin/settings/callers", {"sms_fi": "x" * 460}, "Kukaan ei ehtinyt vastata (suomeksi)",
     "liian pitkä: enintään 459 merkkiä", "x" * 460),
    ("/admin/settings/callers", {"closed_sms_en": "  "},
     "Soitto aukioloajan ulkopuolella (englanniksi)", "ei saa olla tyhjä", "  "),
    ("/admin/settings/callers", {"choice_timeout_seconds": "<b>1</b>"},
     "Aikaa painaa näppäintä (s)", "pitää olla kokonaisluku", "<b>1</b>"),
]


@pytest.mark.parametrize("path, form, label, what, typed", REFUSED)
async def test_a_refused_form_names_the_field_and_keeps_what_was_typed(
    edit_client: TestClient, config_file: Path, path: str, form: dict[str, str], label: str,
    what: str, typed: str
) -> None:
    before = file_text(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post(path, data={"csrf_token": token, **form},
                                      headers=FINNISH)
    assert response.status == 400
    page = await response.text()
    assert f"{_escaped(label)}: {_escaped(what)}" in page, page[page.find('id="refused"'):][:600]
    assert _escaped(typed.strip() if path.endswith("/box") else typed) in page
    assert "Muutosta ei tallennettu" in page
    assert file_text(config_file) == before


async def test_the_api_twin_names_the_keys(edit_client: TestClient, config_file: Path) -> None:
    token = await log_in(edit_client)
    refused = await edit_client.post("/api/admin/settings/callers", json={
        "callback_retry_minutes": [15, 0]}, headers={"X-CSRF-Token": token})
    assert refused.status == 400
    problems = (await refused.json())["problems"]
    assert problems == ["calls.callback_retry_minutes: each delay must be a whole number of "
                        "minutes, 1 or more"]
    saved = await edit_client.post("/api/admin/settings/box", json={
        "time_zone": "Europe/Tallinn"}, headers={"X-CSRF-Token": token})
    assert saved.status == 200, await saved.text()
    assert load_config(config_file).box.time_zone == "Europe/Tallinn"


async def test_every_field_has_a_label_and_the_forms_need_the_token(
        edit_client: TestClient) -> None:
    await log_in(edit_client)
    page = await (await edit_client.get("/admin/settings")).text()
    for field in ("box-name", "box-language", "box-time-zone", "box-country",
                  "callers-sms_fi", "callers-closed_sms_en", "callers-retry", "callers-group",
                  "callers-choice", "callers-voicemail", "callers-service"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    refused = await edit_client.post("/admin/settings/callers", data={"sms_fi": "Hei"})
    assert refused.status == 403
