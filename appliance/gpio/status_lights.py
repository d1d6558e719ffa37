"""What the box's status LEDs show: line, fault, callers waiting, SLA breach (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass

NO_SIGNAL_BLINK_S = 0.5
FASTEST_WAITING_BLINK_S = 0.1  # at 5 or more callers waiting
ONE_WAITING_BLINK_S = 0.5


@dataclass(frozen=True, slots=True)
class Light:
    """One LED's pattern: off, lit, or blinking with these on and off times."""

    lit: bool
    blink_s: float | None = None  # None: steady

    @property
    def blinking(self) -> bool:
        return self.lit and self.blink_s is not None


OFF = Light(False)
ON = Light(True)


def line_light(registered: bool | None, signal: int | None) -> Light:
    """Lit while the line is registered with signal; blinking when there is no signal; off before
    anything is known."""
    if registered is None:
        return OFF
    # 3GPP TS 27.007 §8.5 +CSQ: 0 is -113 dBm or less, 99 "not known or not detectable".
    if not registered or signal in (0, 99):
        return Light(True, NO_SIGNAL_BLINK_S)
    return ON


def waiting_light(waiting: int) -> Light:
    """Off with nobody waiting; the more callers wait, the faster it blinks."""
    if waiting <= 0:
        return OFF
    return Light(True, max(FASTEST_WAITING_BLINK_S, ONE_WAITING_BLINK_S / waiting))


def flag_light(on: bool) -> Light:
    """A plain on/off LED (fault, SLA breach)."""
    return ON if on else OFF
