"""A notice by the desk LED, on mock pins: the agent's red LED blinks three times, then the
pair shows the agent's state again; other desks stay as they were."""

from __future__ import annotations

from gpiozero.pins.mock import MockFactory, MockPin

from appliance.gpio.adapter import GpioAdapter
from appliance.runtime.daemon import Daemon
from appliance.spine.events import AgentNotified
from tests.desk.box_daemon import eventually
from tests.gpio.test_desk_buttons import gpio

__all__ = ["gpio"]


def lit_times(pin: MockPin) -> int:
    """How often the pin was switched on."""
    return sum(1 for state in pin.states if state.state)


async def test_a_led_notice_blinks_the_agents_red_led(
        gpio: GpioAdapter, box_daemon: Daemon, mock_factory: MockFactory) -> None:
    board = box_daemon.switchboard
    assert board is not None
    anna = board.agent_id("anna")
    red, other_red = mock_factory.pin(22), mock_factory.pin(25)
    box_daemon.bus.publish(AgentNotified(at=box_daemon.clock.now(), agent_id=anna,
                                         notice="mention", way="led", number=1001))
    await eventually(lambda: lit_times(red) == 3 and not red.state, "three blinks", 10.0)
    assert lit_times(other_red) == 0

    # a page or mail notice does not touch the LEDs
    box_daemon.bus.publish(AgentNotified(at=box_daemon.clock.now(), agent_id=anna,
                                         notice="mention", way="email", number=1001))
    await box_daemon.bus.drain()
    assert lit_times(red) == 3
