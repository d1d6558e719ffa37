"""A temporary aspa.toml and a web app that may change it, for the settings and mailbox tests."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.config.aspa_toml import load_config
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.board_backend import backend_on

CONFIG = """\
# Installed by the image; edit with care.
[box]
language = "en"  # the setup pages speak the box's language

[business_hours]
time_zone = "Europe/Helsinki"

[mail.smtp]
host = "smtp.example.fi"  # the office's provider
from_address = "tuki@example.fi"
"""


def mode_of(path: Path) -> int:
    """The permission bits of a file."""
    return stat.S_IMODE(os.stat(path).st_mode)


def make_config(folder: Path, text: str = CONFIG) -> Path:
    """aspa.toml in its own folder (as /etc/aspa), owner read-write only."""
    path = folder / "conf" / "aspa.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return make_config(tmp_path)


def backend_for(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus | None,
                data_dir: Path, config_file: Path, *, writable: bool = True) -> StoreWebBackend:
    """The web backend of a box started with this aspa.toml.

    `writable=False`: the same settings, started without a file to change (read-only).
    """
    config = load_config(config_file)
    return backend_on(store, board, clock, bus or EventBus(), data_dir=data_dir, config=config,
                      config_path=config_file if writable else None, smtp=config.mail.smtp)


@pytest.fixture
async def edit_client(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
                      tmp_path: Path, config_file: Path) -> AsyncIterator[TestClient]:
    backend = backend_for(store, board, clock, bus, tmp_path, config_file)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def file_text(path: Path) -> str:
    """The file's text (a plain function: tests call it between awaits)."""
    return path.read_text(encoding="utf-8")


def file_bytes(path: Path) -> bytes:
    """The file's bytes, to tell that a refused change left it byte for byte."""
    return path.read_bytes()


def file_names(folder: Path) -> list[str]:
    """The names in a folder, sorted: no temp or password file left behind."""
    return sorted(p.name for p in folder.iterdir())


def append_text(path: Path, text: str) -> None:
    """Add lines at the end of the file, as an installer editing it by hand would."""
    with path.open("a", encoding="utf-8") as file:
        file.write(text)
