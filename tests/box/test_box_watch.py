"""The running box notices a full data partition, reports it, and reports the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config.aspa_toml import config_from_mapping
from appliance.doctor import core_checks
from appliance.runtime.box_watch import BoxWatch
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, HealthChanged

KIB = 1024


async def test_a_full_disk_shows_as_failing_and_then_as_fixed(
        tmp_path: Path, tiny_mount: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The tmpfs is 1 MiB; scale the thresholds to it instead of filling 100 MiB of RAM.
    monkeypatch.setattr(core_checks, "CRITICAL_FREE_BYTES", 400 * KIB)
    monkeypatch.setattr(core_checks, "LOW_FREE_BYTES", 500 * KIB)
    data = tiny_mount / "aspa"
    data.mkdir()
    config = config_from_mapping({"data_dir": str(data)}, tmp_path)
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe("test", seen.append, [HealthChanged])
    bus.start()
    watch = BoxWatch(config, bus, ManualClock(), every_s=3600)
    try:
        await watch.check_now()
        assert watch.health().ok
        filler = tiny_mount / "filler"
        filler.write_bytes(b"x" * (800 * KIB))
        await watch.check_now()
        health = watch.health()
        assert not health.ok and "data dir" in health.detail and "free some space" in health.detail
        await watch.check_now()  # still full: nothing new to report
        filler.unlink()
        await watch.check_now()
        assert watch.health().ok
        await bus.drain()
    finally:
        await watch.stop()
        await bus.stop()
    assert [(e.part, e.ok) for e in seen if isinstance(e, HealthChanged)] == [
        ("data dir", False), ("data dir", True)]
