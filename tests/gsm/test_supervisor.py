"""The supervisor: unplug/replug, stall, garbage, SIM PIN handling, last-resort reset."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appliance.gsm.driver import ModemDriver
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.gsm.supervisor import ModemSupervisor
from appliance.spine.bus import EventBus
from appliance.spine.events import CallEnded, CallOffered, HealthChanged

from .line_harness import EventLog, eventually, fast_settings

SUPERVISOR_PROMISE_S = 10.0  # appliance/gsm/supervisor.py: "noticed within 10 s"


@dataclass
class Supervised:
    sim: SimulatedModem
    driver: ModemDriver
    supervisor: ModemSupervisor
    log: EventLog
    task: asyncio.Task[None] | None = None


async def _start(tmp_path: Path, model: str = "sim800", *, run: bool = True,
                 lock_pin: str | None = None, **settings: Any) -> Supervised:
    sim = create_simulator(model, tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    if lock_pin is not None:
        sim.lock_sim(lock_pin)
    bus = EventBus()
    log = EventLog(bus)
    bus.start()
    driver = ModemDriver(fast_settings(sim.path, **settings), bus)
    supervisor = ModemSupervisor(driver)
    supervised = Supervised(sim, driver, supervisor, log)
    if run:
        supervised.task = asyncio.get_running_loop().create_task(supervisor.run())
    return supervised


@pytest.fixture
async def supervised(tmp_path: Path) -> AsyncIterator[Supervised]:
    running = await _start(tmp_path)
    try:
        yield running
    finally:
        await _finish(running)


async def _finish(running: Supervised) -> None:
    await running.supervisor.stop()
    if running.task is not None:
        async with asyncio.timeout(5):
            await running.task
    await running.sim.stop()


async def _up(running: Supervised) -> None:
    await running.log.wait_for(HealthChanged, lambda e: e.ok)


async def test_unplug_interrupts_calls_and_replug_brings_the_line_back(
        supervised: Supervised) -> None:
    await _up(supervised)
    await supervised.sim.incoming_call("+358401234567")
    offered = await supervised.log.wait_for(CallOffered)
    await supervised.driver.answer(offered.call_id)
    await supervised.sim.unplug()
    ended = await supervised.log.wait_for(CallEnded)
    assert (ended.call_id, ended.outcome) == (offered.call_id, "interrupted")
    await supervised.log.wait_for(HealthChanged, lambda e: not e.ok)
    await supervised.sim.replug()
    await eventually(lambda: len(supervised.log.of(HealthChanged)) >= 3)
    assert supervised.log.of(HealthChanged)[-1].ok
    await supervised.sim.incoming_call("+358409999999")
    again = await supervised.log.wait_for(CallOffered, lambda e: e.number == "+358409999999")
    assert again.call_id != offered.call_id


async def test_stalled_modem_is_noticed_and_reopened(tmp_path: Path) -> None:
    running = await _start(tmp_path, run=False)
    try:
        assert await running.supervisor.connect()
        running.sim.stall()
        problem = await running.supervisor.check()
        assert problem == "modem not answering AT"
        assert running.supervisor.state == "down"
        running.sim.stall(False)
        assert await running.supervisor.connect()
        assert running.supervisor.state == "up"
    finally:
        await _finish(running)


async def test_stall_is_noticed_within_the_health_interval(supervised: Supervised) -> None:
    await _up(supervised)
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent_before = len(supervised.sim.received)
    supervised.sim.stall()
    await supervised.log.wait_for(HealthChanged, lambda e: not e.ok, within=15)
    elapsed = loop.time() - started
    # The design: the next check, then two unanswered probes, then the port is given up
    # (3 + 2 + 2 = 7 s with the shipped settings). Counted in commands, not in seconds: a
    # busy machine only makes each wait longer.
    after = supervised.sim.received[sent_before:]
    probes = list(itertools.takewhile(lambda command: command == "AT", after))
    assert probes == ["AT", "AT"], after
    assert elapsed <= SUPERVISOR_PROMISE_S
    supervised.sim.stall(False)
    await eventually(lambda: supervised.supervisor.state == "up", within=5)


async def test_garbage_flood_reopens_the_port(tmp_path: Path) -> None:
    running = await _start(tmp_path, run=False, garbage_limit=20)
    try:
        assert await running.supervisor.connect()
        await running.sim.send_garbage(b"\xff\xfe\x00garbage\r\n" * 40)
        channel = running.supervisor.channel
        assert channel is not None
        await eventually(lambda: channel.garbage_lines >= 20)
        problem = await running.supervisor.check()
        assert problem is not None and "unparsable" in problem
        assert running.supervisor.reopen_count == 1
        assert running.supervisor.state == "up"
    finally:
        await _finish(running)


async def test_modem_silent_at_every_open_gets_a_cfun_reset(tmp_path: Path) -> None:
    running = await _start(tmp_path, run=False)
    try:
        running.sim.stall()
        for _ in range(3):
            assert not await running.supervisor.connect()
        assert running.supervisor.reset_count == 1
        assert "AT+CFUN=1,1" in running.sim.received
    finally:
        await _finish(running)


async def test_correct_pin_unlocks_the_sim(tmp_path: Path) -> None:
    running = await _start(tmp_path, lock_pin="4321", pin="4321")
    try:
        await _up(running)
        assert running.sim.cpin == "READY"
    finally:
        await _finish(running)


async def test_wrong_pin_is_tried_once_and_stops_the_line(tmp_path: Path) -> None:
    running = await _start(tmp_path, lock_pin="4321", pin="1111")
    try:
        down = await running.log.wait_for(HealthChanged, lambda e: not e.ok)
        assert "SIM PIN rejected: check gsm.modems[].pin (the [[gsm.modems]] named " in down.detail
        await eventually(lambda: running.supervisor.state == "stopped")
        await asyncio.sleep(0.3)  # a live loop would have retried by now; it must not
        assert [c for c in running.sim.received if c.startswith("AT+CPIN=")] == [
            'AT+CPIN="1111"']
        assert running.sim.pin_tries == 2
    finally:
        await _finish(running)


async def test_pin_needed_but_not_configured(tmp_path: Path) -> None:
    running = await _start(tmp_path, lock_pin="4321")
    try:
        down = await running.log.wait_for(HealthChanged, lambda e: not e.ok)
        assert "set gsm.modems[].pin (the [[gsm.modems]] named " in down.detail
        assert not [c for c in running.sim.received if c.startswith("AT+CPIN=")]
    finally:
        await _finish(running)
