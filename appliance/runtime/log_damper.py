"""Keeps one repeating fault from filling the SD card with the same log line.

A fault that strikes per connection or per loop turn ("socket.accept() out of system
resource", a dead peer) would otherwise write thousands of identical tracebacks a
second. The first few of a kind are written; the rest are counted, and the next one
written after the interval says how many were left out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

INTERVAL_S = 60.0
BURST = 5  # records of one kind written per interval before the rest are counted
MAX_KINDS = 500  # kinds remembered; the oldest are forgotten first


@dataclass
class _Kind:
    started: float
    written: int = 0
    left_out: int = 0


class LogDamper(logging.Filter):
    """A filter for the log handlers: at most `burst` records of one kind per interval.

    A kind is the logger, the message's format and the exception's type, so one
    fault at many addresses is one kind, and two different faults are two.
    """

    def __init__(self, *, interval_s: float = INTERVAL_S, burst: int = BURST,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval = interval_s
        self._burst = burst
        self._monotonic = monotonic
        self._kinds: dict[tuple[str, str, str], _Kind] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, str(record.msg), exc_type)
        now = self._monotonic()
        kind = self._kinds.get(key)
        if kind is None or now - kind.started >= self._interval:
            left_out = kind.left_out if kind is not None else 0
            self._kinds.pop(key, None)  # to the end: the oldest kinds are forgotten first
            kind = self._kinds[key] = _Kind(started=now)
            self._forget_oldest()
            if left_out:
                record.msg = f"{record.msg} ({left_out} more like this were not logged)"
        if kind.written >= self._burst:
            kind.left_out += 1
            return False
        kind.written += 1
        return True

    def _forget_oldest(self) -> None:
        while len(self._kinds) > MAX_KINDS:
            del self._kinds[next(iter(self._kinds))]


def damp_repeats(damper: LogDamper | None = None) -> LogDamper:
    """Put a damper on every handler of the root logger; returns it."""
    damper = damper or LogDamper()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, LogDamper) for f in handler.filters):
            handler.addFilter(damper)
    return damper
