"""Desk buttons and LED pairs on mock pins, driven through a running daemon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from math import isclose

import pytest
from gpiozero.pins.mock import MockFactory, MockPin

from appliance.config.sections.gpio import DeskPinSettings, GpioSettings
from appliance.gpio.adapter import GpioAdapter
from appliance.presence.states import Presence
from appliance.runtime.daemon import Daemon
from appliance.spine.events import PresenceChanged
from tests.desk.box_daemon import eventually

HOLD_S = 0.3  # shorter than the box's 2 s so the suite stays quick; the rule is the same

SETTINGS = GpioSettings(
    enabled=True, hold_seconds=HOLD_S, bounce_ms=0,
    desks=[DeskPinSettings(agent="anna", button_pin=17, green_pin=27, red_pin=22),
           DeskPinSettings(agent="pekka", button_pin=23, green_pin=24, red_pin=25),
           DeskPinSettings(agent="ghost", button_pin=5, green_pin=6, red_pin=26)])


@pytest.fixture
async def gpio(box_daemon: Daemon, mock_factory: MockFactory) -> AsyncIterator[GpioAdapter]:
    adapter = on_box(box_daemon, mock_factory)
    await adapter.start()
    try:
        yield adapter
    finally:
        await adapter.stop()


def on_box(daemon: Daemon, factory: MockFactory) -> GpioAdapter:
    """The adapter as the wiring builds it: the daemon's switchboard as presence and work."""
    board = daemon.switchboard
    assert board is not None
    return GpioAdapter(SETTINGS, board, board, bus=daemon.bus, clock=daemon.clock,
                       factory=factory)


def presence_of(daemon: Daemon, login: str) -> Presence:
    board = daemon.switchboard
    assert board is not None
    agent_id = board.agent_id(login)
    state = board.agent(agent_id) if agent_id is not None else None
    assert state is not None
    return state.presence


def press(pin: MockPin) -> None:
    pin.drive_low()
    pin.drive_high()


def lit(pin: MockPin) -> bool:
    return bool(pin.state)


async def test_press_toggles_available_and_busy_and_the_leds_follow(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    button, green, red = (mock_factory.pin(n) for n in (17, 27, 22))
    green.assert_states([False])
    red.assert_states([False])  # offline: dark

    press(button)
    await eventually(lambda: lit(green), "green after the first press")
    assert presence_of(box_daemon, "anna") is Presence.AVAILABLE

    press(button)
    await eventually(lambda: lit(red), "red after the second press")
    assert presence_of(box_daemon, "anna") is Presence.BUSY
    green.assert_states([False, True, False])
    red.assert_states([False, True])

    press(button)
    await eventually(lambda: lit(green), "green after the third press")
    red.assert_states([False, True, False])
    assert presence_of(box_daemon, "pekka") is Presence.OFFLINE  # the other desk is untouched
    mock_factory.pin(24).assert_states([False])


async def test_hold_goes_away_and_a_second_hold_comes_back(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    button, green, red = (mock_factory.pin(n) for n in (23, 24, 25))
    press(button)
    await eventually(lambda: lit(green), "pekka available")

    button.drive_low()
    await eventually(lambda: presence_of(box_daemon, "pekka") is Presence.AWAY, "away on hold")
    button.drive_high()  # the release after a hold is not also a press
    await eventually(lambda: not lit(green), "LEDs dark while away")
    assert presence_of(box_daemon, "pekka") is Presence.AWAY
    red.assert_states([False])

    button.drive_low()
    await eventually(lambda: lit(green), "back to available on the second hold")
    button.drive_high()
    assert box_daemon.bus is not None
    await box_daemon.bus.drain()
    assert presence_of(box_daemon, "pekka") is Presence.AVAILABLE
    green.assert_states([False, True, False, True])


async def test_ringing_blinks_green_and_a_call_turns_red(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    green, red = mock_factory.pin(27), mock_factory.pin(22)
    now = box_daemon.clock.now()
    box_daemon.bus.publish(PresenceChanged(at=now, agent_id=1, presence="available",
                                           activity="ringing", source="routing"))
    await eventually(lambda: len(green.states) >= 8, "seven blink edges", within_s=10)
    # A mock pin stamps each state with the time since the one before: 2 Hz is 0.25 s on, 0.25
    # off. gpiozero's blink thread may change the pin late on a busy machine, never early: the
    # shortest interval is the blink's own.
    assert [s.state for s in green.states[:5]] == [False, True, False, True, False]
    assert isclose(min(s.timestamp for s in green.states[2:8]), 0.25, abs_tol=0.03), green.states
    red.assert_states([False])

    box_daemon.bus.publish(PresenceChanged(at=now, agent_id=1, presence="available",
                                           activity="on_call", source="routing"))
    await eventually(lambda: lit(red), "red on the call")
    await eventually(lambda: not lit(green), "blinking stopped")


async def test_a_button_of_an_unknown_agent_is_ignored_and_counted(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory,
        caplog: pytest.LogCaptureFixture) -> None:
    press(mock_factory.pin(5))
    await eventually(lambda: gpio.ignored == 1, "the press to be counted as ignored")
    assert "'ghost' ignored" in caplog.text
    assert gpio.gestures == 0
    assert box_daemon.switchboard is not None
    assert all(s.presence is Presence.OFFLINE for s in box_daemon.switchboard.agents().values())
    mock_factory.pin(6).assert_states([False])


async def test_stop_releases_the_pins(box_daemon: Daemon, mock_factory: MockFactory) -> None:
    adapter = on_box(box_daemon, mock_factory)
    await adapter.start()
    assert adapter.health().ok
    await adapter.stop()
    assert not adapter.health().ok
    again = on_box(box_daemon, mock_factory)
    await again.start()  # the same pins can be claimed again
    await again.stop()
