"""The doctor's VoIP row, and the line's state when baresip cannot even start."""

from __future__ import annotations

import json
from pathlib import Path

from appliance.config.aspa_toml import config_from_mapping
from appliance.config.sections.voip import VoipSettings
from appliance.doctor.registry import run_checks
from appliance.ports.line import Line
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.spine.events import HealthChanged
from appliance.voip.adapter import VoipLineAdapter
from appliance.voip.baresip_files import APP_MODULES, MODULES
from appliance.voip.doctor import describe_line, status_path
from appliance.voip.voip_line import VoipLine
from tests.voip.event_log import EventLog


def test_doctor_row_from_the_running_line(tmp_path: Path) -> None:
    config = config_from_mapping({"data_dir": str(tmp_path), "voip": {
        "enabled": True, "registrar": "sip.example", "baresip": "sh"}}, tmp_path)
    path = status_path(config.data_path, config.voip)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"state": "up", "registration": "failed", "restarts": 2,
                                "last_error": "403 Forbidden", "at": "2026-11-23T10:00:00"}))
    [row] = [f for f in run_checks(config) if f.part == "voip"]
    assert row.status == "fail"
    assert "registration failed" in row.detail and "last error: 403 Forbidden" in row.detail


def test_doctor_row_when_off_and_when_not_installed(tmp_path: Path) -> None:
    config = config_from_mapping({}, tmp_path)
    assert [(f.status, f.detail) for f in run_checks(config) if f.part == "voip"] == [
        ("off", "voip is not enabled")]
    missing = describe_line(VoipSettings(baresip="no-such-baresip"), None)
    assert missing.status == "fail" and "baresip-core" in missing.detail
    modules = tmp_path / "modules"
    modules.mkdir()
    for name in (*MODULES, *APP_MODULES):
        (modules / name).write_bytes(b"")
    up = {"state": "up", "registration": "not registering"}
    assert describe_line(VoipSettings(baresip="sh"), up, str(modules)).status == "ok"
    (modules / "ctrl_tcp.so").unlink()
    broken = describe_line(VoipSettings(baresip="sh"), up, str(modules))
    assert broken.status == "fail" and "ctrl_tcp.so" in broken.detail


def test_doctor_row_names_what_sound_through_the_box_needs(tmp_path: Path) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    for name in (*MODULES, *APP_MODULES):
        (modules / name).write_bytes(b"")
    up = {"state": "up", "registration": "not registering"}
    no_server = describe_line(VoipSettings(baresip="sh", call_sound="box",
                                           jackd="no-such-jackd"), up, str(modules))
    assert no_server.status == "fail" and "jackd2" in no_server.detail
    no_module = describe_line(VoipSettings(baresip="sh", call_sound="box", jackd="sh"), up,
                              str(modules))
    assert no_module.status == "fail" and "jack module" in no_module.detail
    (modules / "jack.so").write_bytes(b"")
    assert describe_line(VoipSettings(baresip="sh", call_sound="box", jackd="sh"), up,
                         str(modules)).status == "ok"


async def test_missing_baresip_is_reported_not_raised(tmp_path: Path) -> None:
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    adapter = VoipLineAdapter(VoipSettings(enabled=True, baresip=str(tmp_path / "none")), bus,
                              SystemClock(), tmp_path)
    await adapter.start()  # the supervisor keeps retrying in the background
    try:
        down = await log.wait_for(HealthChanged, lambda e: not e.ok)
        assert down.part == "voip:voip0" and "baresip-core" in down.detail
        health = adapter.health()
        assert health.ok is False and "baresip-core" in health.detail
    finally:
        await adapter.stop()
        await bus.stop()


def test_voip_line_is_a_line() -> None:
    line: Line = VoipLine(VoipSettings(), EventBus(), SystemClock())
    assert isinstance(line, Line)
