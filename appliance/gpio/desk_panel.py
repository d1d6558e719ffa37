"""One desk wired to the box: a button and a green/red LED pair, driven through gpiozero."""

from __future__ import annotations

import threading
from collections.abc import Callable

from gpiozero import LED, Button
from gpiozero.pins import Factory

from appliance.config.sections.gpio import DeskPinSettings
from appliance.gpio.desk_light import NOTICE_BLINK_S, NOTICE_BLINKS, RING_BLINK_S, DeskLight
from appliance.presence.gestures import Gesture

# (agent login, gesture), called in gpiozero's thread
GestureHandler = Callable[[str, Gesture], None]


class DeskPanel:
    """A desk's button (press / hold) and LED pair."""

    def __init__(self, desk: DeskPinSettings, factory: Factory, *, hold_s: float,
                 bounce_s: float | None, on_gesture: GestureHandler) -> None:
        self.agent = desk.agent
        self._on_gesture = on_gesture
        self._held = threading.Event()
        self.light: DeskLight | None = None
        self.green = LED(desk.green_pin, pin_factory=factory)
        self.red = LED(desk.red_pin, pin_factory=factory)
        # The button pulls the pin to ground: internal pull-up, active low.
        self.button = Button(desk.button_pin, pull_up=True, bounce_time=bounce_s,
                             hold_time=hold_s, pin_factory=factory)
        self.button.when_pressed = self._pressed
        self.button.when_held = self._held_down
        self.button.when_released = self._released

    def _pressed(self) -> None:
        self._held.clear()

    def _held_down(self) -> None:
        self._held.set()
        self._on_gesture(self.agent, Gesture.HOLD)

    def _released(self) -> None:
        # A press counts on release, so that a hold is not first taken for a press.
        if not self._held.is_set():
            self._on_gesture(self.agent, Gesture.PRESS)

    def show(self, light: DeskLight) -> None:
        """Set the LED pair to `light`; the same light again changes nothing (no blink restart)."""
        if light is self.light:
            return
        self.light = light
        self.red.value = light.red
        if light.blinking:
            self.green.blink(on_time=RING_BLINK_S, off_time=RING_BLINK_S)
        else:
            self.green.value = light.green

    def blink_notice(self) -> None:
        """Blink the red LED a few times: the agent has a notice. `show_again` restores it."""
        self.red.blink(on_time=NOTICE_BLINK_S, off_time=NOTICE_BLINK_S, n=NOTICE_BLINKS)

    def show_again(self) -> None:
        """Set the LED pair to its light once more (after a notice's blinks)."""
        light, self.light = self.light, None
        if light is not None:
            self.show(light)

    def close(self) -> None:
        """Release the pins."""
        for device in (self.button, self.green, self.red):
            device.close()
