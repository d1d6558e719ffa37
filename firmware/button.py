"""The desk button: debounced, a short press gives "press", holding it "hold" (once)."""

from ticks import ticks_diff

DEBOUNCE_MS = 30  # a level must stay this long to count: contact bounce lasts a few ms
HOLD_MS = 2000


class ButtonGestures:
    """Turns raw button samples into gestures; feed it every loop with the level and the time."""

    def __init__(self, hold_ms=HOLD_MS, debounce_ms=DEBOUNCE_MS):
        self.hold_ms = hold_ms
        self.debounce_ms = debounce_ms
        self.pressed = False  # the debounced level
        self._raw = False
        self._raw_since = None
        self._pressed_at = None
        self._held = False

    def update(self, raw_pressed, now_ms):
        """Feed one sample; returns "press", "hold" or None."""
        if raw_pressed != self._raw or self._raw_since is None:
            self._raw = raw_pressed
            self._raw_since = now_ms
        stable = ticks_diff(now_ms, self._raw_since) >= self.debounce_ms
        if stable and self._raw != self.pressed:
            self.pressed = self._raw
            if self.pressed:
                self._pressed_at = self._raw_since
                self._held = False
                return None
            # A press counts on release, so that a hold is never first taken for a press.
            return None if self._held else "press"
        if self.pressed and not self._held and \
                ticks_diff(now_ms, self._pressed_at) >= self.hold_ms:
            self._held = True
            return "hold"
        return None
