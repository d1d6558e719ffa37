"""First boot, the line step: the SIM PIN is saved from the wizard and never shown back."""

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
from appliance.web.app import make_app
from tests.web.board_backend import loaded_board
from tests.web.conftest import csrf_token_in
from tests.web.mailbox_config_files import CONFIG, backend_for, file_bytes, file_text, make_config

MODEM = """
[gsm]
enabled = true

[[gsm.modems]]
name = "gsm0"
device = "/dev/ttyUSB2"  # the SIM7600's AT port
"""


@pytest.fixture
def modem_config(tmp_path: Path) -> Path:
    return make_config(tmp_path, CONFIG + MODEM)


@pytest.fixture
async def first_boot(store: StoreWorker, clock: ManualClock, tmp_path: Path,
                     modem_config: Path) -> AsyncIterator[TestClient]:
    board = await loaded_board(store, EventBus(), clock)
    backend = backend_for(store, board, clock, None, tmp_path, modem_config)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _line_step(client: TestClient) -> str:
    token = csrf_token_in(await (await client.get("/setup")).text())
    made = await client.post("/setup", data={
        "csrf_token": token, "name": "Olli", "login": "olli", "password": "hyvä-salasana",
        "password2": "hyvä-salasana"})
    text = await made.text()
    assert made.status == 200 and 'action="/setup/line/modems/1/pin"' in text
    return csrf_token_in(text)


async def test_the_sim_pin_is_saved_and_the_step_goes_on(first_boot: TestClient,
                                                         modem_config: Path) -> None:
    token = await _line_step(first_boot)
    saved = await first_boot.post("/setup/line/modems/1/pin", allow_redirects=False,
                                  data={"csrf_token": token, "pin": "4711"})
    assert (saved.status, saved.headers["Location"]) == (303, "/setup/line?saved=line")
    text = file_text(modem_config)
    assert tomllib.loads(text)["gsm"]["modems"][0]["pin"] == "4711"
    assert "# the SIM7600's AT port" in text
    page = await (await first_boot.get("/setup/line?saved=line")).text()
    assert "Saved; restart Aspa to apply." in page and "4711" not in page


async def test_a_bad_pin_is_refused_shown_back_and_nothing_is_written(
    first_boot: TestClient, modem_config: Path
) -> None:
    before = file_bytes(modem_config)
    token = await _line_step(first_boot)
    refused = await first_boot.post("/setup/line/modems/1/pin",
                                    data={"csrf_token": token, "pin": "12ab"})
    text = await refused.text()
    assert refused.status == 400
    assert "SIM PIN: must be 4 to 8 digits" in text and "gsm.modems[0]" not in text
    assert 'value="12ab"' in text  # typed: shown back in this answer, to be corrected
    missing = await first_boot.post("/setup/line/modems/2/pin",
                                    data={"csrf_token": token, "pin": "4711"})
    assert missing.status == 404
    assert file_bytes(modem_config) == before
