"""The box's status LEDs on mock pins: line, fault, callers waiting, SLA breach."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from math import isclose

import pytest
from gpiozero.pins.mock import MockFactory, MockPin

from appliance.config.sections.gpio import GpioSettings
from appliance.gpio.adapter import GpioAdapter
from appliance.runtime.daemon import Daemon
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallAnswered, CallOffered, HealthChanged, LineStatus
from tests.desk.box_daemon import eventually

LINE, FAULT, WAITING, SLA = 12, 16, 20, 21
# gpiozero blinks in its own thread, waiting at least the on or off time between changes:
# on a busy machine a change can come late, never early. So the shortest of several
# intervals is the blink's own period, give or take this much scheduling overhead.
PERIOD_TOLERANCE_S = 0.03
INTERVALS = 6


def blink_period(pin: MockPin, first: int) -> float:
    """The shortest interval between the pin's changes from its `first` change on."""
    return min(s.timestamp for s in pin.states[first:first + INTERVALS])


def on_box(daemon: Daemon, factory: MockFactory, **options: float) -> GpioAdapter:
    """The adapter as the wiring builds it: the daemon's switchboard as presence and work."""
    board = daemon.switchboard
    assert board is not None
    return GpioAdapter(GpioSettings(enabled=True), board, board, bus=daemon.bus,
                       clock=daemon.clock, factory=factory, **options)


@pytest.fixture
async def gpio(box_daemon: Daemon, mock_factory: MockFactory) -> AsyncIterator[GpioAdapter]:
    adapter = on_box(box_daemon, mock_factory)
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
    await eventually(lambda: len(pin.states) >= 3 + INTERVALS, "no-signal blinking",
                     within_s=10)
    assert isclose(blink_period(pin, 3), 0.5, abs_tol=PERIOD_TOLERANCE_S), pin.states


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
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    pin = mock_factory.pin(WAITING)
    now = box_daemon.clock.now()
    assert box_daemon.tickets is not None
    await box_daemon.tickets.open_ticket("email", "not a caller")
    for n in range(4):
        box_daemon.bus.publish(CallOffered(at=now, call_id=str(n), line="gsm", number=None))
    await eventually(lambda: len(pin.states) >= 2 + INTERVALS, "four callers' blinking",
                     within_s=10)
    # four callers: 0.5 s / 4 = 0.125 s on and off
    assert isclose(blink_period(pin, 2), 0.125, abs_tol=PERIOD_TOLERANCE_S), pin.states

    for n in range(4):
        box_daemon.bus.publish(CallAnswered(at=now, call_id=str(n), wait_seconds=4))
    await box_daemon.bus.drain()
    await eventually(lambda: not pin.state, "dark when nobody waits")


async def test_sla_led_lit_once_open_work_is_past_due(
        box_daemon: Daemon, mock_factory: MockFactory) -> None:
    clock = box_daemon.clock
    assert isinstance(clock, ManualClock) and box_daemon.tickets is not None
    ticket = await box_daemon.tickets.open_ticket("email", "needs an answer", priority="urgent")
    due = ticket.first_response_due
    adapter = on_box(box_daemon, mock_factory, sla_check_s=0.01)
    await adapter.start()
    try:
        pin = mock_factory.pin(SLA)
        pin.assert_states([False])
        clock.advance(due - clock.now() + timedelta(minutes=1))
        await eventually(lambda: bool(pin.state), "SLA LED after the due time", within_s=3)
        pin.assert_states([False, True])
    finally:
        await adapter.stop()
