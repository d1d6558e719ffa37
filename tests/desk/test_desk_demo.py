"""The desks in `aspa demo`: mock-pin presses and the simulated desk unit change presence."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpiozero import Device

from appliance.demo.desks import DemoBroker, demo_desk_adapter, with_demo_desks
from appliance.demo.launch import demo_config
from appliance.demo.people import seed_demo_store
from appliance.presence.states import Presence
from appliance.runtime.daemon import Daemon
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.spine.clock import SystemClock
from tests.desk.box_daemon import eventually


@pytest.fixture
def restore_pin_factory() -> Iterator[None]:
    before = Device.pin_factory
    try:
        yield
    finally:
        Device.pin_factory = before


@pytest.mark.usefixtures("restore_pin_factory")
async def test_the_demo_presses_both_desks_and_presence_follows(tmp_path: Path) -> None:
    if not DemoBroker.available():
        pytest.skip("needs mosquitto and mosquitto_passwd (Debian package mosquitto)")
    config = demo_config(tmp_path).config
    config = dataclasses.replace(config, web=dataclasses.replace(config.web, enabled=False))
    seed_demo_store(config.database_url, SystemClock())
    config, pins, broker = await with_demo_desks(config, tmp_path)
    assert broker is not None
    desks = demo_desk_adapter(config, pins, broker, every_s=0.05)
    daemon = Daemon(config, adapters=[desks], notifier=SystemdNotifier(None))
    desks.attach(daemon.bus)
    await daemon.start()
    try:
        board = daemon.switchboard
        assert board is not None
        ids = {login: board.agent_id(login) for login in ("anna", "bengt")}
        await eventually(lambda: desks.presses >= 2, "a press on each desk")
        await eventually(
            lambda: all(board.agents()[i].presence is not Presence.OFFLINE
                        for i in ids.values() if i is not None),
            "both agents changed by their desks")
        assert None not in ids.values()
        assert pins.pin(27).state or pins.pin(22).state  # anna's LED pair is lit
    finally:
        await daemon.stop()
        await broker.stop()
