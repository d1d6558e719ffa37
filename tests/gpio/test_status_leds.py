"""The box's status LEDs on mock pins: line, fault, callers waiting, SLA breach."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from math import isclose

import pytest
from gpiozero.pins.mock import MockFactory

from appliance.config.sections.gpio import GpioSettings
from appliance.desk.desk_agents import DeskAgents
from appliance.gpio.adapter import GpioAdapter
from appliance.presence.channel import Channel
from appliance.queue.work_item import WorkItem
from appliance.runtime.daemon import Daemon
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallAnswered, CallOffered, HealthChanged, LineStatus
from tests.desk.box_daemon import eventually

LINE, FAULT, WAITING, SLA = 12, 16, 20, 21


class OpenWork:
    """The open work the adapter reads, set by the test."""

    def __init__(self) -> None:
        self.items: list[WorkItem] = []

    def __call__(self) -> list[WorkItem]:
        return self.items


@pytest.fixture
def work() -> OpenWork:
    return OpenWork()


@pytest.fixture
async def gpio(box_daemon: Daemon, mock_factory: MockFactory,
               work: OpenWork) -> AsyncIterator[GpioAdapter]:
    adapter = GpioAdapter(GpioSettings(enabled=True), DeskAgents(box_daemon), work=work,
                          factory=mock_factory)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


async def test_line_led_lit_when_registered_and_blinking_without_signal(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    pin = mock_factory.pin(LINE)
    now = box_daemon.clock.now()
    box_daemon.bus.publish(LineStatus(at=now, line="gsm", registered=True, signal=18))
    await eventually(lambda: bool(pin.state), "line LED lit")
    box_daemon.bus.publish(LineStatus(at=now, line="gsm", registered=False, signal=0))
    await eventually(lambda: len(pin.states) >= 5, "no-signal blinking")
    assert all(isclose(s.timestamp, 0.5, abs_tol=0.05) for s in pin.states[3:5]), pin.states


async def test_fault_led_lit_while_any_part_has_failed(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    pin = mock_factory.pin(FAULT)
    now = box_daemon.clock.now()
    box_daemon.bus.publish(HealthChanged(at=now, part="mail", ok=False))
    box_daemon.bus.publish(HealthChanged(at=now, part="gsm", ok=False))
    box_daemon.bus.publish(HealthChanged(at=now, part="mail", ok=True))
    await box_daemon.bus.drain()
    pin.assert_states([False, True])  # gsm is still down
    box_daemon.bus.publish(HealthChanged(at=now, part="gsm", ok=True))
    await box_daemon.bus.drain()
    pin.assert_states([False, True, False])


async def test_waiting_led_blinks_faster_with_more_callers(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory, work: OpenWork) -> None:
    pin = mock_factory.pin(WAITING)
    now = box_daemon.clock.now()
    for n in range(4):
        work.items.append(WorkItem(id=f"call:{n}", kind=Channel.CALL, created_at=now))
    work.items.append(WorkItem(id="ticket:1", kind=Channel.EMAIL, created_at=now))
    box_daemon.bus.publish(CallOffered(at=now, call_id="3", line="gsm", number=None))
    await eventually(lambda: len(pin.states) >= 5, "four callers' blinking")
    # four callers: 0.5 s / 4 = 0.125 s on and off
    assert all(isclose(s.timestamp, 0.125, abs_tol=0.04) for s in pin.states[2:5]), pin.states

    work.items.clear()
    box_daemon.bus.publish(CallAnswered(at=now, call_id="3", wait_seconds=4))
    await box_daemon.bus.drain()
    await eventually(lambda: not pin.state, "dark when nobody waits")


async def test_sla_led_lit_once_open_work_is_past_due(
        box_daemon: Daemon, mock_factory: MockFactory, work: OpenWork) -> None:
    clock = box_daemon.clock
    assert isinstance(clock, ManualClock)
    due = clock.now() + timedelta(minutes=30)
    work.items.append(WorkItem(id="ticket:7", kind=Channel.EMAIL, created_at=clock.now(),
                               sla_due=due))
    adapter = GpioAdapter(GpioSettings(enabled=True), DeskAgents(box_daemon), work=work,
                          factory=mock_factory, sla_check_s=0.01)
    await adapter.start()
    try:
        pin = mock_factory.pin(SLA)
        pin.assert_states([False])
        clock.advance(timedelta(minutes=31))
        await eventually(lambda: bool(pin.state), "SLA LED after the due time", within_s=3)
        pin.assert_states([False, True])
    finally:
        await adapter.stop()
