"""Millisecond tick arithmetic that survives the wrap of time.ticks_ms() (MicroPython: time)."""

try:
    from time import ticks_add, ticks_diff
except ImportError:  # CPython, for the tests: plain integers never wrap
    def ticks_diff(later, earlier):
        """Milliseconds from `earlier` to `later`."""
        return later - earlier

    def ticks_add(ticks, delta):
        """`ticks` plus `delta` milliseconds."""
        return ticks + delta
