"""`aspa run` with [voip] enabled: baresip is started and its line is handed to the exchange."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.config.aspa_toml import load_config
from appliance.ports.adapter import AdapterHealth
from appliance.runtime.daemon import Daemon, serve
from appliance.runtime.shutdown import ShutdownRequest
from appliance.runtime.systemd_notify import SystemdNotifier
from appliance.voip.adapter import VoipLineAdapter
from tests.daemon_box import make_box
from tests.peers.binaries import PeerProgram, require
from tests.voip.sip_peers import BARESIP, free_sip_port, rtp_range


async def test_the_daemon_runs_the_voip_line_and_its_desk_serves_it(tmp_path: Path) -> None:
    baresip = require(BARESIP)
    rtp_min, rtp_max = rtp_range()
    box = make_box(tmp_path, extra_toml=f"""
[voip]
enabled = true
listen_address = "127.0.0.1"
sip_port = {free_sip_port()}
rtp_port_min = {rtp_min}
rtp_port_max = {rtp_max}
baresip = "{baresip}"

[[agents]]
login = "anna"
name = "Anna"
sip_uri = "sip:anna@127.0.0.1:9"

[[ring_groups]]
name = "tuki"
members = ["anna"]
strategy = "ringall"
""")
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(None))
    shutdown = ShutdownRequest()
    seen: dict[str, AdapterHealth] = {}
    checks: list[asyncio.Task[None]] = []

    async def look(running: Daemon) -> None:
        try:
            for adapter in running.supervisor.adapters:
                seen[adapter.name] = adapter.health()
        finally:
            shutdown.request("test: seen enough")

    code = await serve(daemon, shutdown=shutdown,
                       on_started=lambda d: checks.append(asyncio.create_task(look(d))))
    assert code == 0
    assert seen["voip0"] == AdapterHealth(ok=True, detail="not registering")
    # the exchange holds the SIP line, which tries a blind transfer first
    assert seen["calls"].detail == "0 calls in hand; voip0: deflect"


async def test_the_daemon_carries_the_voip_calls_sound_when_asked(tmp_path: Path) -> None:
    baresip, jackd = require(BARESIP), require(PeerProgram("jackd", "jackd2"))
    rtp_min, rtp_max = rtp_range()
    box = make_box(tmp_path, extra_toml=f"""
[voip]
enabled = true
listen_address = "127.0.0.1"
sip_port = {free_sip_port()}
rtp_port_min = {rtp_min}
rtp_port_max = {rtp_max}
baresip = "{baresip}"
call_sound = "box"
jackd = "{jackd}"
""")
    daemon = Daemon(load_config(box.config_path), notifier=SystemdNotifier(None))
    shutdown = ShutdownRequest()
    seen: dict[str, object] = {}
    checks: list[asyncio.Task[None]] = []

    async def look(running: Daemon) -> None:
        try:
            for adapter in running.supervisor.adapters:
                seen[adapter.name] = adapter.health()
                if isinstance(adapter, VoipLineAdapter):
                    jack = adapter.supervisor.jack
                    seen["jack"] = jack is not None and jack.is_running
                    seen["sound"] = adapter.line.capabilities.has_audio
        finally:
            shutdown.request("test: seen enough")

    code = await serve(daemon, shutdown=shutdown,
                       on_started=lambda d: checks.append(asyncio.create_task(look(d))))
    assert code == 0
    assert seen["voip0"] == AdapterHealth(ok=True, detail="not registering")
    assert seen["jack"] is True and seen["sound"] is True
    # the caller is answered and hears the queue: the agent is joined by conference
    health = seen["calls"]
    assert isinstance(health, AdapterHealth)
    assert health.detail.startswith("0 calls in hand; voip0: conference")
