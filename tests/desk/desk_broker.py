"""A box and its desk units on a Mosquitto broker with Aspa's own ACL and per-unit accounts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.config.sections.desk_units import DeskUnitSettings
from appliance.desk.adapter import DeskUnitsAdapter
from appliance.desk.broker_files import BOX_USER, acl_lines, unit_accounts
from appliance.runtime.daemon import Daemon
from tests.desk.box_daemon import box_config, started_daemon
from tests.peers.mosquitto import MosquittoBroker, MosquittoFactory
from tests.peers.mqtt_probe import MqttProbe

BOX = "toimisto"
PREFIX = f"aspa/{BOX}"
BOX_PASSWORD = "box-secret-1"
UNITS = {"desk-anna": "anna", "desk-pekka": "pekka"}
STRAY_UNIT = "desk-stray"  # has a broker account, but no [[desk_units]] entry on the box


def unit_password(unit: str) -> str:
    return f"{unit}-pw"


@dataclass
class DeskBox:
    """The broker, the running daemon and its desk-units adapter."""

    broker: MosquittoBroker
    daemon: Daemon
    tmp_path: Path

    @property
    def adapter(self) -> DeskUnitsAdapter:
        found = [a for a in self.daemon.supervisor.adapters if isinstance(a, DeskUnitsAdapter)]
        assert found, "the daemon did not wire the desk-units adapter"
        return found[0]

    def unit(self, unit: str, password: str | None = None) -> MqttProbe:
        """A connected MQTT client logged in as `unit`."""
        probe = MqttProbe(self.broker.host, self.broker.port, client_id=unit, username=unit,
                          password=password if password is not None else unit_password(unit))
        return probe.connect()

    def agent_presence(self, login: str) -> str:
        board = self.daemon.switchboard
        assert board is not None
        agent_id = {"anna": 1, "pekka": 2, "liisa": 3}[login]
        state = board.agent(agent_id)
        assert state is not None
        return state.presence.value


def desk_units() -> list[DeskUnitSettings]:
    return [DeskUnitSettings(id=unit, agent=agent, password=unit_password(unit))
            for unit, agent in UNITS.items()]


@pytest.fixture
async def desk_box(make_mosquitto: MosquittoFactory, tmp_path: Path) -> AsyncIterator[DeskBox]:
    """Mosquitto with Aspa's ACL, and a daemon whose desk-units adapter is connected to it."""
    users = {BOX_USER: BOX_PASSWORD, **unit_accounts(desk_units()),
             STRAY_UNIT: unit_password(STRAY_UNIT)}
    broker = await asyncio.to_thread(make_mosquitto, users=users, acl=acl_lines(BOX))
    config = box_config(
        tmp_path, box={"name": BOX},
        mqtt={"enabled": True, "host": broker.host, "port": broker.port, "username": BOX_USER,
              "password": BOX_PASSWORD},
        desk_units=[{"id": u.id, "agent": u.agent, "password": u.password}
                    for u in desk_units()])
    daemon = await started_daemon(config)
    try:
        yield DeskBox(broker, daemon, tmp_path)
    finally:
        await daemon.stop()
