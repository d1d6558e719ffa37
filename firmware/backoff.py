"""Reconnect delays: doubling from one second up to a minute, back to the start on success."""

FIRST_MS = 1000
MAX_MS = 60000


class Backoff:
    """The delay before the next attempt; `jitter(ms)` spreads units that all lost the box."""

    def __init__(self, first_ms=FIRST_MS, max_ms=MAX_MS, jitter=None):
        self.first_ms = first_ms
        self.max_ms = max_ms
        self._jitter = jitter
        self._next_ms = first_ms
        self.failures = 0

    def failed(self):
        """One more failure: returns how long to wait before the next try."""
        delay = self._next_ms
        self.failures += 1
        self._next_ms = min(self._next_ms * 2, self.max_ms)
        if self._jitter is not None:
            delay += self._jitter(delay // 4)
        return delay

    def succeeded(self):
        """Connected: the next failure starts from the first delay again."""
        self._next_ms = self.first_ms
        self.failures = 0
