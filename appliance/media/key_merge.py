"""A key counted once when the caller's phone sends it twice: as an RFC 4733 event and as a tone.

Many SIP phones send a key both ways: a telephone-event (RFC 4733 §2.3) and
the DTMF tone itself in the audio, which the in-band detector hears. The two
copies reach the call's audio thread by different paths (baresip's event over
its control socket, the tone through its jitter buffer and JACK), in either
order, so:

- a tone heard within an event of the same digit (from its start to its end,
  or to now while it lasts), widened by a guard window on each side, is
  dropped: the event counted it. A tone cut in two by a lost packet or a
  late frame is dropped whole;
- an event arriving after its tone was heard and counted (a late event)
  pairs with that one tone and is dropped; a tone pairs once, so a fast
  "1 1" sent both ways stays two keys.

Keys pressed only one way all count. Every position is on the call's media
clock (samples of the caller's audio the channel has taken), never wall time:
a busy loop that delivers an event late moves it by the frames that passed
meanwhile, not by the time it stalled.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Final

# baresip's jitter buffer (up to ~200 ms), JACK's period and the port's queues lie between
# an event's arrival and its tone reaching the detector; a deliberate second press of the
# same key needs a release and a new tone of its own (ITU-T Q.24: ≥ 40 ms each).
GUARD_MS: Final = 400
REMEMBERED: Final = 16  # keys of each path kept for pairing; older ones cannot pair any more


@dataclass(slots=True)
class _LineKey:
    digit: str
    start: int
    end: int | None = None


@dataclass(slots=True)
class _HeardKey:
    digit: str
    at: int
    paired: bool = False


class KeyMerger:
    """Decides, per copy of a key, whether it counts (True) or pairs with one counted already."""

    def __init__(self, rate_hz: int, guard_ms: int = GUARD_MS) -> None:
        self.guard = rate_hz * guard_ms // 1000
        self._line: deque[_LineKey] = deque(maxlen=REMEMBERED)
        self._heard: deque[_HeardKey] = deque(maxlen=REMEMBERED)
        self.dropped = 0  # copies that paired with a key counted already

    def line_key_started(self, digit: str, now: int) -> bool:
        """The line reported a key (an RFC 4733 event began) at media sample `now`."""
        self._line.append(_LineKey(digit, now))
        for heard in self._heard:
            if not heard.paired and heard.digit == digit and abs(heard.at - now) <= self.guard:
                heard.paired = True
                self.dropped += 1
                return False
        return True

    def line_key_ended(self, now: int) -> None:
        """The line's key of the moment was released (the event's end)."""
        for key in reversed(self._line):
            if key.end is None:
                key.end = now
                return

    def heard(self, digit: str, at: int, now: int) -> bool:
        """The detector heard a key whose tone began at sample `at`; `now` is the clock's
        position."""
        for key in self._line:
            end = key.end if key.end is not None else now
            if key.digit == digit and key.start - self.guard <= at <= end + self.guard:
                self.dropped += 1
                return False
        self._heard.append(_HeardKey(digit, at))
        return True
