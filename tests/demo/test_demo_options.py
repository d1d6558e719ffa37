"""`aspa demo --host/--port`: the page where it was asked, or a free port and the reason;
a configuration that gives only [web] keeps the demo's office; its tickets follow the SLA given."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.config.aspa_toml import config_from_mapping
from appliance.demo.launch import demo_config, seed_demo
from appliance.spine.clock import ManualClock
from appliance.store.models import Ticket
from appliance.store.startup import open_store
from tests.demo.test_demo import _start_demo
from tests.peers.free_port import LOOPBACK, free_port

URL = re.compile(r"  Web page: http://127\.0\.0\.1:(?P<port>\d+)/\n")


def test_a_config_with_only_web_keeps_the_demo_office(tmp_path: Path) -> None:
    only_web = config_from_mapping({"web": {"host": "127.0.0.1", "port": free_port(LOOPBACK)}},
                                   tmp_path)
    setup = demo_config(tmp_path, only_web)
    assert [a.login for a in setup.config.agents] == ["anna", "bengt"]
    assert [g.name for g in setup.config.ring_groups] == ["support"]
    assert setup.config.business_hours.weekly.sat == ["00:00-24:00"]
    assert setup.config.web.port == only_web.web.port and setup.moved == ""
    own = config_from_mapping({"agents": [{"login": "olli", "name": "Olli"}]}, tmp_path)
    assert [a.login for a in demo_config(tmp_path, own).config.agents] == ["olli"]


def test_host_and_port_are_used_and_a_taken_port_is_explained(tmp_path: Path) -> None:
    port = free_port(LOOPBACK)
    setup = demo_config(tmp_path, host=LOOPBACK, port=port)
    assert (setup.config.web.host, setup.config.web.port, setup.moved) == (LOOPBACK, port, "")
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        busy = taken.getsockname()[1]
        moved = demo_config(tmp_path, port=busy)
    assert moved.config.web.port == 0  # any free port; the running page prints the real one
    assert f"port {busy} on 127.0.0.1 is taken" in moved.moved and "--port" in moved.moved


async def _output(*args: str) -> str:
    proc = await _start_demo(*args, "--duration", "2")
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_the_demo_runs_on_the_port_asked_or_says_why_not() -> None:
    port = free_port(LOOPBACK)
    out = await _output("--host", LOOPBACK, "--port", str(port))
    shown = URL.search(out)
    assert shown and int(shown["port"]) == port, out
    assert "Moved:" not in out
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        busy = taken.getsockname()[1]
        out = await _output("--port", str(busy))
    shown = URL.search(out)
    assert shown and int(shown["port"]) != busy, out
    assert f"  Moved:    port {busy} on 127.0.0.1 is taken" in out


async def test_a_port_that_is_no_port_is_refused_by_name() -> None:
    proc = await _start_demo("--port", "seventy")
    _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2 and "'seventy' is not a port (1 to 65535)" in stderr.decode()


def test_the_demo_tickets_are_due_by_the_sla_of_the_config_given(tmp_path: Path) -> None:
    own = config_from_mapping({"sla": {"business_hours_only": False,
                                       "urgent": {"first_response_minutes": 10,
                                                  "resolution_minutes": 60}}}, tmp_path)
    setup = demo_config(tmp_path, own)
    clock = ManualClock(datetime(2026, 12, 5, 22, 0, tzinfo=UTC))  # a Saturday night
    seed_demo(setup.config, clock)
    db = open_store(setup.config.database_url)
    try:
        urgent = Ticket.get(Ticket.priority == "urgent")
        assert urgent.first_response_due == clock.now() + timedelta(minutes=10)
        assert urgent.resolution_due == clock.now() + timedelta(minutes=60)
    finally:
        db.close()
