"""The VoIP account and desk pins forms of the settings page: shown, saved, secrets never shown."""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import backend_for, make_config
from tests.web.mailbox_config_files import file_bytes as _bytes
from tests.web.mailbox_config_files import file_text as _text
from tests.web.mailbox_config_files import mode_of as _mode

FINNISH = {"Accept-Language": "fi-FI,fi;q=0.9"}  # the office's browsers
OLD_SIP_PASSWORD = "vanha-sip-salasana-3"
CONFIG = f"""\
[box]
language = "fi"

[[agents]]
login = "anna"
name = "Anna Agent"
phone = "+358401234567"

[[agents]]
login = "pekka"
name = "Pekka Agent"
phone = "+358401234568"

[voip]
enabled = true
registrar = "sip.operaattori.example"
user = "0912345678"
password = "{OLD_SIP_PASSWORD}"  # from the operator's letter

[gpio]
enabled = true
pin_factory = "mock"

[[gpio.desks]]
agent = "anna"
button_pin = 17  # by the window
green_pin = 27
red_pin = 22
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return make_config(tmp_path, CONFIG)


@pytest.fixture
async def client(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
                 tmp_path: Path, config_file: Path) -> AsyncIterator[TestClient]:
    backend = backend_for(store, board, clock, bus, tmp_path, config_file)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app), headers=FINNISH) as test_client:
        yield test_client


async def test_the_forms_speak_finnish_and_never_show_the_sip_password(
        client: TestClient) -> None:
    await log_in(client)
    page = await (await client.get("/admin/settings")).text()
    for label in ("VoIP-linja", "Rekisteröintipalvelin", "Paikallinen SIP-portti",
                  "Pöytien painikkeet laitteen nastoissa", "Painikkeen nasta (GPIO-numero)"):
        assert label in page
    assert 'value="sip.operaattori.example"' in page and 'value="17"' in page
    assert OLD_SIP_PASSWORD not in page


async def test_a_new_sip_password_goes_to_its_own_file_and_the_comments_stay(
        client: TestClient, config_file: Path) -> None:
    token = await log_in(client)
    response = await client.post("/admin/settings/voip", data={
        "csrf_token": token, "registrar": "sip2.operaattori.example:5070", "transport": "tcp",
        "password": "Uusi-SIP-salasana-4"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    text = _text(config_file)
    voip = tomllib.loads(text)["voip"]
    assert (voip["registrar"], voip["transport"]) == ("sip2.operaattori.example:5070", "tcp")
    assert voip["password_file"] == "voip-password" and "password" not in voip
    assert "Uusi-SIP-salasana-4" not in text and OLD_SIP_PASSWORD not in text
    secret = config_file.parent / "voip-password"
    assert _text(secret).strip() == "Uusi-SIP-salasana-4" and _mode(secret) == 0o600
    page = await (await client.get("/admin/settings")).text()
    assert "Uusi-SIP-salasana-4" not in page


@pytest.mark.parametrize(("fields", "said"), [
    ({"registrar": "sip.example; evil=1"}, "Rekisteröintipalvelin (osoite tai osoite:portti; "
                                           "tyhjä = ei rekisteröintiä): pitää olla palvelimen"),
    ({"user": "anna <x>"}, "Käyttäjätunnus: ei saa sisältää välilyöntejä"),
    ({"transport": "smoke-signals"}, "Siirtotapa:"),
    ({"sip_port": "99999"}, "Paikallinen SIP-portti:"),
])
async def test_bad_voip_values_are_refused_in_finnish_and_the_file_stays(
        client: TestClient, config_file: Path, fields: dict[str, str], said: str) -> None:
    before = _bytes(config_file)
    token = await log_in(client)
    response = await client.post("/admin/settings/voip", data={"csrf_token": token, **fields})
    assert response.status == 400
    assert said in await response.text()
    assert _bytes(config_file) == before


async def test_a_desk_moved_to_other_pins_is_saved_and_a_clash_refused(
        client: TestClient, config_file: Path) -> None:
    token = await log_in(client)
    before = _bytes(config_file)
    refused = await client.post("/admin/settings/gpio-desks/1", data={
        "csrf_token": token, "green_pin": "22"})  # the desk's own red LED
    assert refused.status == 400
    assert "GPIO 22 on jo käytössä" in await refused.text()
    assert _bytes(config_file) == before
    response = await client.post("/admin/settings/gpio-desks/1", data={
        "csrf_token": token, "agent": "pekka", "button_pin": "5"}, allow_redirects=False)
    assert response.status == 303, await response.text()
    text = _text(config_file)
    desk = tomllib.loads(text)["gpio"]["desks"][0]
    assert (desk["agent"], desk["button_pin"], desk["green_pin"]) == ("pekka", 5, 27)
    assert "# by the window" in text
    missing = await client.post("/admin/settings/gpio-desks/2", data={
        "csrf_token": token, "button_pin": "6"})
    assert missing.status == 404
