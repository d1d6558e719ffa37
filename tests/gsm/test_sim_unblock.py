"""A SIM locked after wrong PINs, opened with its PUK from the box (the line's own port)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.gsm.line import GsmLine
from appliance.gsm.line_set import GsmLineSet
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.ports.lines import SimUnblockRefused
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from tests.gsm.line_harness import eventually, fast_settings

PUK = "12345678"


async def _locked_line(tmp_path: Path, *, cpin: str = "SIM PUK",
                       ) -> tuple[SimulatedModem, GsmLine, EventBus]:
    sim = create_simulator("sim7600", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    sim.lock_sim("1111", tries=0 if cpin == "SIM PUK" else 3)
    sim.cpin = cpin
    bus = EventBus()
    bus.start()
    line = GsmLine.for_modem(fast_settings(sim.path, pin="1111" if cpin == "SIM PUK" else "9999"),
                             bus, ManualClock())
    await line.start()
    await eventually(lambda: line.supervisor.state == "stopped", within=10)
    return sim, line, bus


async def _close(sim: SimulatedModem, line: GsmLine, bus: EventBus) -> None:
    await line.stop()
    await sim.stop()
    await bus.stop()


async def test_the_puk_and_a_new_pin_bring_the_line_up(tmp_path: Path) -> None:
    sim, line, bus = await _locked_line(tmp_path)
    try:
        assert "PUK" in line.health().detail
        lines = GsmLineSet([line])
        with pytest.raises(SimUnblockRefused) as wrong:
            await lines.unblock_sim("gsm0", "87654321", "2468")
        assert (wrong.value.reason, wrong.value.tries_left) == ("wrong_puk", 9), wrong.value.detail
        assert sim.cpin == "SIM PUK" and not line.health().ok
        await lines.unblock_sim("gsm0", PUK, "2468")
        assert sim.sim_pin == "2468"
        await eventually(lambda: line.health().ok, within=10)
        # up: the PUK is not asked for, and nothing is sent to the SIM
        sent = len(sim.received)
        with pytest.raises(SimUnblockRefused, match="not_locked"):
            await lines.unblock_sim("gsm0", PUK, "2468")
        assert not any("CPIN=" in c for c in sim.received[sent:])
        # after a power cycle the SIM asks for the new PIN, which the line has kept
        await line.stop()
        sim.lock_sim("2468")
        await line.start()
        await eventually(lambda: line.health().ok, within=10)
        assert 'AT+CPIN="2468"' in sim.received
    finally:
        await _close(sim, line, bus)


async def test_a_sim_that_waits_for_its_pin_is_not_sent_the_puk(tmp_path: Path) -> None:
    sim, line, bus = await _locked_line(tmp_path, cpin="SIM PIN")
    try:
        tries = sim.pin_tries
        with pytest.raises(SimUnblockRefused) as refused:
            await GsmLineSet([line]).unblock_sim("gsm0", PUK, "2468")
        assert refused.value.reason == "not_locked", refused.value.detail
        assert sim.pin_tries == tries  # the PUK did not spend a PIN try
        assert not any(c.startswith(f'AT+CPIN="{PUK}"') for c in sim.received)
    finally:
        await _close(sim, line, bus)


async def test_bad_input_and_a_dead_sim_are_said(tmp_path: Path) -> None:
    sim, line, bus = await _locked_line(tmp_path)
    lines = GsmLineSet([line])
    try:
        for puk, pin in (("1234", "2468"), (PUK, "12"), ('1234567"', "2468"), (PUK, "24;8")):
            with pytest.raises(SimUnblockRefused, match="bad_format"):
                await lines.unblock_sim("gsm0", puk, pin)
        with pytest.raises(SimUnblockRefused, match="no_such_line"):
            await lines.unblock_sim("gsm9", PUK, "2468")
        sim.puk_tries = 1
        with pytest.raises(SimUnblockRefused) as dead:
            await lines.unblock_sim("gsm0", "00000000", "2468")
        assert dead.value.reason == "sim_dead"
        with pytest.raises(SimUnblockRefused) as still:
            await lines.unblock_sim("gsm0", PUK, "2468")
        assert still.value.reason == "not_locked" and "failure" in still.value.detail
    finally:
        await _close(sim, line, bus)
