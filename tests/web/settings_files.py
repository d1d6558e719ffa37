"""An aspa.toml with comments and secrets in a temporary folder, and web apps on it, for the
settings tests."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.cli import main
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from tests.web.mailbox_config_files import backend_for, make_config

OLD_PIN = "4711"
OLD_MQTT_PASSWORD = "vanha-mqtt-salasana-9"
OLD_DESK_PASSWORD = "vanha-poyta-salasana-7"
CONFIG = f"""\
# Installed by the image; edit with care.
[box]
language = "en"  # the setup pages speak the box's language

[business_hours]
time_zone = "Europe/Helsinki"
holidays = ["2026-12-24"]  # Christmas Eve

[business_hours.weekly]
mon = ["08:00-16:00"]  # the office opens at eight

[gsm]
enabled = true

[[gsm.modems]]
name = "gsm0"
device = "/dev/ttyUSB2"
pin = "{OLD_PIN}"

[[agents]]
login = "anna"
name = "Anna Agent"
phone = "+358401234567"

[[agents]]
login = "pekka"
name = "Pekka Agent"
phone = "+358401234568"

[[ring_groups]]
name = "tuki"
members = ["anna"]  # Pekka joins in the autumn

[mqtt]
# The box's own Mosquitto on loopback.
enabled = true
host = "127.0.0.1"
username = "aspa"
password = "{OLD_MQTT_PASSWORD}"

[[desk_units]]
id = "desk-anna"
agent = "anna"  # by the window
password = "{OLD_DESK_PASSWORD}"

[backup]
target = "/media/aspa-backup"  # the USB stick in the back

[retention]
quarantine_days = 30  # agreed with the DPO
"""
SECRETS = (OLD_PIN, OLD_MQTT_PASSWORD, OLD_DESK_PASSWORD)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return make_config(tmp_path, CONFIG)


@pytest.fixture
async def edit_client(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
                      tmp_path: Path, config_file: Path) -> AsyncIterator[TestClient]:
    """The web app on the config file, which it may change."""
    backend = backend_for(store, board, clock, bus, tmp_path, config_file)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


@pytest.fixture
async def read_only_client(store: StoreWorker, board: Switchboard, clock: ManualClock,
                           bus: EventBus, tmp_path: Path,
                           config_file: Path) -> AsyncIterator[TestClient]:
    """The web app running on the same settings, started without a config file to change."""
    backend = backend_for(store, board, clock, bus, tmp_path, config_file, writable=False)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def config_checks(path: Path) -> int:
    """`aspa config check`: 0 when the loader accepts the file."""
    return main(["config", "check", str(path)])
