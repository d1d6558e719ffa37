"""The PUK form on the settings page, against a PUK-locked SIM in the modem simulator."""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.gsm.line import GsmLine
from appliance.gsm.line_set import GsmLineSet
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from tests.gsm.line_harness import eventually, fast_settings
from tests.web import settings_files
from tests.web.board_backend import loaded_board
from tests.web.conftest import csrf_token_in, log_in
from tests.web.mailbox_config_files import CONFIG, backend_for, make_config
from tests.web.mailbox_config_files import file_bytes as _bytes
from tests.web.mailbox_config_files import file_text as _text

config_file = settings_files.config_file
PUK = "12345678"
MODEM = """
[gsm]
enabled = true

[[gsm.modems]]
name = "gsm0"
device = "/dev/ttyUSB2"
"""


@pytest.fixture
async def locked(tmp_path: Path) -> AsyncIterator[tuple[SimulatedModem, GsmLine]]:
    sim = create_simulator("sim7600", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    sim.lock_sim(settings_files.OLD_PIN, tries=0)
    sim.cpin = "SIM PUK"
    bus = EventBus()
    bus.start()
    line = GsmLine.for_modem(fast_settings(sim.path, pin=settings_files.OLD_PIN), bus,
                             ManualClock())
    await line.start()
    await eventually(lambda: line.supervisor.state == "stopped", within=10)
    try:
        yield sim, line
    finally:
        await line.stop()
        await sim.stop()
        await bus.stop()


@pytest.fixture
async def puk_client(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
                     tmp_path: Path, config_file: Path,
                     locked: tuple[SimulatedModem, GsmLine]) -> AsyncIterator[TestClient]:
    backend = backend_for(store, board, clock, bus, tmp_path, config_file)
    backend.lines = GsmLineSet([locked[1]])
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_a_wrong_puk_is_said_and_the_right_one_saves_the_new_pin(
        puk_client: TestClient, config_file: Path,
        locked: tuple[SimulatedModem, GsmLine]) -> None:
    sim, line = locked
    before = _bytes(config_file)
    token = await log_in(puk_client)
    page = await (await puk_client.get("/admin/settings")).text()
    assert 'action="/admin/settings/modems/1/puk"' in page
    assert (await puk_client.post("/admin/settings/modems/1/puk",
                                  data={"puk": PUK, "new_pin": "2468"})).status == 403
    wrong = await puk_client.post("/admin/settings/modems/1/puk", data={
        "csrf_token": token, "puk": "87654321", "new_pin": "2468"})
    text = await wrong.text()
    assert wrong.status == 400
    assert "Wrong PUK" in text and "9 tries left" in text
    assert "87654321" not in text and "2468" not in text  # neither code is shown back
    assert _bytes(config_file) == before and sim.cpin == "SIM PUK"
    short = await puk_client.post("/api/admin/settings/modems/1/puk", json={
        "puk": "1234", "new_pin": "2468"}, headers={"X-CSRF-Token": token})
    assert short.status == 400
    assert "8 digits" in str((await short.json())["problems"])
    right = await puk_client.post("/admin/settings/modems/1/puk", data={
        "csrf_token": token, "puk": PUK, "new_pin": "2468"})
    assert right.status == 200
    assert tomllib.loads(_text(config_file))["gsm"]["modems"][0]["pin"] == "2468"
    assert "2468" not in await right.text()
    await eventually(lambda: line.health().ok, within=10)
    assert sim.sim_pin == "2468"
    again = await puk_client.post("/admin/settings/modems/1/puk", data={
        "csrf_token": token, "puk": PUK, "new_pin": "1357"})
    assert again.status == 400 and "does not ask for its PUK" in await again.text()
    missing = await puk_client.post("/admin/settings/modems/2/puk", data={
        "csrf_token": token, "puk": PUK, "new_pin": "1357"})
    assert missing.status == 404


async def test_the_refusal_is_in_finnish_for_a_finnish_admin(
        puk_client: TestClient, locked: tuple[SimulatedModem, GsmLine]) -> None:
    token = await log_in(puk_client)
    await puk_client.post("/language", data={"csrf_token": token, "language": "fi"})
    wrong = await puk_client.post("/admin/settings/modems/1/puk", data={
        "csrf_token": token, "puk": "87654321", "new_pin": "2468"})
    text = await wrong.text()
    assert "Väärä PUK-koodi" in text and "yrityksiä jäljellä 9" in text


async def test_the_installer_unblocks_the_sim_in_the_setup_wizard(
        store: StoreWorker, clock: ManualClock, tmp_path: Path,
        locked: tuple[SimulatedModem, GsmLine]) -> None:
    _, line = locked
    config = make_config(tmp_path, CONFIG + MODEM)
    board = await loaded_board(store, EventBus(), clock)
    backend = backend_for(store, board, clock, None, tmp_path, config)
    backend.lines = GsmLineSet([line])
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as first_boot:
        token = csrf_token_in(await (await first_boot.get("/setup")).text())
        made = await first_boot.post("/setup", data={
            "csrf_token": token, "name": "Olli", "login": "olli",
            "password": "hyvä-salasana", "password2": "hyvä-salasana"})
        text = await made.text()
        assert 'action="/setup/line/modems/1/puk"' in text
        token = csrf_token_in(text)
        wrong = await first_boot.post("/setup/line/modems/1/puk", data={
            "csrf_token": token, "puk": "87654321", "new_pin": "2468"})
        assert wrong.status == 400 and "9 tries left" in await wrong.text()
        right = await first_boot.post("/setup/line/modems/1/puk", allow_redirects=False, data={
            "csrf_token": token, "puk": PUK, "new_pin": "2468"})
        assert right.status == 303
        assert tomllib.loads(_text(config))["gsm"]["modems"][0]["pin"] == "2468"
        await eventually(lambda: line.health().ok, within=10)
