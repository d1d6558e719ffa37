"""The `[gpio]` section: the box's status LEDs and the button + LED pairs at agents' desks.

Pins are BCM GPIO numbers. The defaults are the pin map in hardware/pin-map.md;
a test keeps the two the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appliance.config.schema import in_range, one_of, setting
from appliance.config.shown_value import shown

# gpiozero 2.0 pin factories (docs/api_pins.rst); "" lets gpiozero try lgpio first,
# which is the only one that works on a Pi 5.
PIN_FACTORIES = ("", "lgpio", "rpigpio", "pigpio", "native", "mock")
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def bcm_pin(value: Any) -> str | None:
    """A GPIO on the 40-pin header: BCM 2-27."""
    return None if 2 <= value <= 27 else f"must be a BCM GPIO number 2-27, not {value}"


def _login(value: Any) -> str | None:
    if _LOGIN.fullmatch(value):
        return None
    return f"must be an agent login (lowercase letters, digits, '.', '_', '-'), not {shown(value)}"


@dataclass(frozen=True)
class DeskPinSettings:
    """One agent's button and green/red LED pair wired to the box."""

    agent: str = setting(doc="Login of the agent sitting at this desk", check=_login)
    button_pin: int = setting(doc="GPIO of the desk button (to ground; internal pull-up)",
                              check=bcm_pin)
    green_pin: int = setting(doc="GPIO of the desk's green LED", check=bcm_pin)
    red_pin: int = setting(doc="GPIO of the desk's red LED", check=bcm_pin)


@dataclass(frozen=True)
class GpioSettings:
    """The box's LEDs and buttons."""

    enabled: bool = setting(False, "Drive the status LEDs and desk buttons on this box's GPIO")
    pin_factory: str = setting(
        "", "gpiozero pin factory: empty = automatic (lgpio on a Pi 5), or lgpio, rpigpio, "
        "pigpio, native, mock", check=one_of(*PIN_FACTORIES))
    line_led_pin: int = setting(
        12, "GPIO of the line LED: lit = line registered, blinking = no signal", check=bcm_pin)
    fault_led_pin: int = setting(16, "GPIO of the fault LED: lit while a part has failed",
                                 check=bcm_pin)
    waiting_led_pin: int = setting(
        20, "GPIO of the callers-waiting LED: blinks faster the more callers wait", check=bcm_pin)
    sla_led_pin: int = setting(21, "GPIO of the SLA LED: lit while work is past its SLA",
                               check=bcm_pin)
    hold_seconds: float = setting(
        2.0, "Seconds a desk button is held to switch between away and back",
        check=in_range(0.5, 10))
    bounce_ms: int = setting(20, "Ignore button bounces shorter than this (milliseconds)",
                             check=in_range(0, 200))
    desks: list[DeskPinSettings] = setting(
        doc="One [[gpio.desks]] table per desk button + LED pair", factory=list)
