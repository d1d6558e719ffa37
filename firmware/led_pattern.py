"""What the RGB LED (and buzzer) show for the agent's state, as a function of the time."""

RING_HALF_PERIOD_MS = 250  # 2 Hz, as the box's own desk LEDs
LINK_HALF_PERIOD_MS = 1000  # slow blue blink while Wi-Fi or the broker is not reached
BUZZ_ON_MS, BUZZ_PERIOD_MS = 150, 1500
NOTICE_HALF_PERIOD_MS = 500  # a notice: slow amber blinks, unlike the ringing green

OFF = (0, 0, 0)
GREEN = (0, 1, 0)
RED = (1, 0, 0)
BLUE = (0, 0, 1)
AMBER = (1, 1, 0)

_STEADY = {
    "available": GREEN,
    "busy": RED,
    "on_call": RED,
    "wrap_up": RED,
    "away": OFF,
    "offline": OFF,
}


def colour_at(state, now_ms, linked):
    """(red, green, blue), each 0 or 1: green available, red busy or on a call, blinking green
    while ringing, off away or offline; blue blinking while not linked to the box."""
    if not linked or state is None:
        return BLUE if (now_ms // LINK_HALF_PERIOD_MS) % 2 == 0 else OFF
    if state == "ringing":
        return GREEN if (now_ms // RING_HALF_PERIOD_MS) % 2 == 0 else OFF
    return _STEADY.get(state, OFF)


def buzzing_at(state, now_ms):
    """True while the buzzer should sound: short beeps while the agent's phone rings."""
    return state == "ringing" and now_ms % BUZZ_PERIOD_MS < BUZZ_ON_MS


def notice_colour_at(elapsed_ms, blinks):
    """AMBER or OFF while a notice of `blinks` blinks shows, None once it is over."""
    if elapsed_ms < 0 or elapsed_ms >= blinks * 2 * NOTICE_HALF_PERIOD_MS:
        return None
    return AMBER if (elapsed_ms // NOTICE_HALF_PERIOD_MS) % 2 == 0 else OFF
