"""The GSM line as a daemon adapter, against the modem simulator on a pseudo-terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.gsm.line import GsmLine
from appliance.gsm.simulator import create_simulator
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallEnded, CallOffered, HealthChanged
from tests.gsm.line_harness import EventLog, eventually, fast_settings


async def test_calls_come_in_and_stop_ends_them_as_interrupted(tmp_path: Path) -> None:
    sim = create_simulator("sim7600", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    adapter = GsmLine.for_modem(fast_settings(sim.path), bus, ManualClock())
    try:
        await adapter.start()
        assert adapter.health().ok
        assert adapter.health().detail.startswith("up")
        await sim.incoming_call("+358401234567")
        offered = await log.wait_for(CallOffered)
        assert offered.number == "+358401234567"
        await adapter.stop()
        ended = await log.wait_for(CallEnded)
        assert (ended.call_id, ended.outcome) == (offered.call_id, "interrupted")
        assert not adapter.health().ok
    finally:
        await sim.stop()
        await bus.stop()


async def test_a_modem_missing_at_start_is_not_fatal_and_comes_up_later(tmp_path: Path) -> None:
    device = tmp_path / "gsm-modem"
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    adapter = GsmLine.for_modem(fast_settings(str(device)), bus, ManualClock())
    sim = create_simulator("ec25", tmp_path, "gsm-modem", ring_interval=None)
    try:
        await asyncio.wait_for(adapter.start(), 5)  # returns; the line retries by itself
        health = adapter.health()
        assert not health.ok
        assert "does not exist" in health.detail
        await sim.start()  # the modem is plugged in
        await eventually(lambda: adapter.health().ok, within=10)
        await log.wait_for(HealthChanged, lambda e: e.part == "gsm:gsm0" and e.ok)
    finally:
        await adapter.stop()
        await sim.stop()
        await bus.stop()
