"""A started daemon with three agents on a throwaway SQLite store, for desk and GPIO tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.config.aspa_toml import Config, config_from_mapping
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.clock import ManualClock
from appliance.store.agent_roster import sync_agents
from appliance.store.startup import open_store

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
AGENTS = (("anna", "+358401111111"), ("pekka", "+358402222222"), ("liisa", "+358403333333"))
WAIT_S = 3.0


def box_config(tmp_path: Path, **sections: object) -> Config:
    """A configuration with the three agents, no web page, data under `tmp_path`."""
    data = {
        "data_dir": str(tmp_path / "data"),
        "web": {"enabled": False},
        "agents": [{"login": login, "name": login.title(), "phone": phone}
                   for login, phone in AGENTS],
        **sections,
    }
    return config_from_mapping(data, tmp_path)


async def started_daemon(config: Config, clock: ManualClock | None = None) -> Daemon:
    """Seed the store with the configured agents and start a daemon on it."""
    config.data_path.mkdir(parents=True, exist_ok=True)
    db = open_store(config.database_url)
    try:
        sync_agents(db, config.agents)
    finally:
        db.close()
    daemon = Daemon(config, clock=clock or ManualClock(START), notifier=SystemdNotifier(None))
    await daemon.start()
    return daemon


@pytest.fixture
async def box_daemon(tmp_path: Path) -> AsyncIterator[Daemon]:
    """A running daemon with agents anna, pekka and liisa, all offline."""
    daemon = await started_daemon(box_config(tmp_path))
    try:
        yield daemon
    finally:
        await daemon.stop()


async def eventually(check: Callable[[], bool], what: str, within_s: float = WAIT_S) -> None:
    """Wait until `check()` holds (gpiozero and MQTT answer from other threads); fail after
    `within_s` seconds naming `what`."""
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)
