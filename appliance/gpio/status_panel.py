"""The box's status LEDs: line, fault, callers waiting and SLA breach."""

from __future__ import annotations

from gpiozero import LED
from gpiozero.pins import Factory

from appliance.config.sections.gpio import GpioSettings
from appliance.gpio.status_lights import OFF, Light

STATUS_LEDS = ("line", "fault", "waiting", "sla")


class StatusPanel:
    """Four LEDs, each showing a `Light`."""

    def __init__(self, settings: GpioSettings, factory: Factory) -> None:
        pins = {"line": settings.line_led_pin, "fault": settings.fault_led_pin,
                "waiting": settings.waiting_led_pin, "sla": settings.sla_led_pin}
        self.leds = {name: LED(pins[name], pin_factory=factory) for name in STATUS_LEDS}
        self.lights: dict[str, Light] = dict.fromkeys(STATUS_LEDS, OFF)

    def show(self, name: str, light: Light) -> None:
        """Set LED `name` to `light`; unchanged lights are left running."""
        if self.lights[name] == light:
            return
        self.lights[name] = light
        led = self.leds[name]
        if light.blinking:
            assert light.blink_s is not None
            led.blink(on_time=light.blink_s, off_time=light.blink_s)
        else:
            led.value = light.lit

    def close(self) -> None:
        """Release the pins."""
        for led in self.leds.values():
            led.close()
