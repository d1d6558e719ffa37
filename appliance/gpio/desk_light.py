"""What a desk's green/red LED pair shows for each effective state of its agent."""

from __future__ import annotations

from enum import Enum

RING_BLINK_S = 0.25  # on and off time of the ringing blink: 2 Hz, hard to miss
NOTICE_BLINK_S = 0.5  # a notice blinks the red LED slowly, unlike a ringing phone
NOTICE_BLINKS = 3


class DeskLight(Enum):
    """The LED pair's patterns: (green, red, blinking)."""

    GREEN = (True, False, False)
    RED = (False, True, False)
    BLINKING = (True, False, True)
    OFF = (False, False, False)

    @property
    def green(self) -> bool:
        return self.value[0]

    @property
    def red(self) -> bool:
        return self.value[1]

    @property
    def blinking(self) -> bool:
        return self.value[2]


_LIGHTS = {
    "available": DeskLight.GREEN,
    "busy": DeskLight.RED,
    "on_call": DeskLight.RED,
    "wrap_up": DeskLight.RED,
    "ringing": DeskLight.BLINKING,
    "away": DeskLight.OFF,
    "offline": DeskLight.OFF,
}


def light_for(state: str) -> DeskLight:
    """Green available, red busy or on a call, blinking ringing, off away or offline."""
    return _LIGHTS.get(state, DeskLight.OFF)
