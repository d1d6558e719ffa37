"""The desk unit's side of Aspa's desk protocol: topics and payloads.

The unit publishes aspa/<box>/desk/<unit>/button `press` or `hold` (QoS 1) and
.../status `online` retained (its last will: `offline` retained); it reads the
agent's effective state from .../state (retained, set by the box), and `blink:<n>` from
.../notice (not retained) when the agent has a notice and chose the desk LED for it.
"""

STATES = ("available", "busy", "away", "offline", "ringing", "on_call", "wrap_up")
GESTURES = ("press", "hold")
MAX_STATE_BYTES = 16
MAX_BLINKS = 9


def topic(box, unit, leaf):
    """aspa/<box>/desk/<unit>/<leaf> as bytes, as umqtt wants it."""
    return ("aspa/" + box + "/desk/" + unit + "/" + leaf).encode()


def parse_state(payload):
    """The state in a payload from the box, or None when it is not one (then it is ignored)."""
    if len(payload) > MAX_STATE_BYTES:
        return None
    try:
        text = bytes(payload).decode()
    except UnicodeError:
        return None
    return text if text in STATES else None


def parse_notice(payload):
    """How many times to blink for a notice (`blink:3`), or None when it is not one."""
    if len(payload) > MAX_STATE_BYTES:
        return None
    try:
        text = bytes(payload).decode()
    except UnicodeError:
        return None
    if not text.startswith("blink:") or not text[6:].isdigit():
        return None
    count = int(text[6:])
    return count if 1 <= count <= MAX_BLINKS else None
