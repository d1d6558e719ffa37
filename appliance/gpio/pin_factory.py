"""Choosing gpiozero's pin factory by the name in aspa.toml, the way GPIOZERO_PIN_FACTORY does."""

from __future__ import annotations

from importlib.metadata import entry_points

from gpiozero import Device
from gpiozero.pins import Factory


class PinFactoryError(RuntimeError):
    """The configured pin factory cannot be loaded on this machine."""


def pin_factory(name: str) -> Factory:
    """The named factory (lgpio, rpigpio, pigpio, native, mock), or gpiozero's own choice for ""."""
    if not name:
        # gpiozero tries lgpio, rpigpio, pigpio, native in turn; only lgpio works on a Pi 5.
        chosen: Factory = Device.pin_factory or Device._default_pin_factory()
        Device.pin_factory = chosen
        return chosen
    found = [e for e in entry_points(group="gpiozero_pin_factories") if e.name == name]
    if not found:
        raise PinFactoryError(f"gpiozero has no pin factory {name!r}; set gpio.pin_factory")
    try:
        kind = found[0].load()
        if isinstance(Device.pin_factory, kind):
            return Device.pin_factory  # already chosen for the process (the demo's mock pins)
        factory: Factory = kind()
    except Exception as error:  # each backend fails in its own way: ImportError, OSError, ...
        raise PinFactoryError(
            f"gpiozero pin factory {name!r} cannot start: {error}; install its library "
            f"(python3-lgpio on a Pi 5) or set gpio.pin_factory") from error
    return factory
