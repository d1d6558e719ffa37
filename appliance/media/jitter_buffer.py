"""Frames from one line's clock, played out on another's: the bridge between line A and line B.

Two modems (or a modem and baresip) each tick at their own 20 ms, and
their crystals differ by tens of parts per million; a thread waking late
adds jitter on top. The buffer keeps a small, bounded queue between the two.
Every frame carries its arrival time, so the delay it adds is measured:

- it starts playing once the oldest frame has waited `guard_s` (so a next
  frame up to `guard_s` late still arrives before it is needed); the first
  time, frames that by then waited longer than the guard and one frame are
  dropped (a bridge is joined while line A already talks and line B's
  thread is only starting: what piled up meanwhile would be delay for the
  whole call);
- a frame missing when due is concealed by the last one, quieter (an
  underrun, counted; the start condition then applies again);
- when full, the oldest frame is dropped (an overrun, counted);
- drift is corrected before it becomes either: every `adapt_frames` pops (a second)
  it looks at the shortest wait of a frame in that stretch; under half the
  guard, it plays the last frame again on purpose (+1 frame of delay); over
  one frame plus one and a half guards, it drops as many frames as that
  shortest wait exceeds it by (a loaded box whose audio thread stalled
  piles frames up; they would stay as delay); both are counted as
  adjustments.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONCEAL_GAIN = 0.5


@dataclass(frozen=True, slots=True)
class BufferFigures:
    """What the buffer did so far."""

    pushed: int
    popped: int
    underruns: int
    overruns: int
    adjustments: int
    mean_delay_s: float
    max_delay_s: float
    depth: int


class JitterBuffer:
    """A bounded frame queue with drift correction; push and pop from different threads."""

    def __init__(self, frame_bytes: int, clock: Callable[[], float], *, frame_s: float = 0.02,
                 guard_s: float = 0.010, capacity: int = 8, adapt_frames: int = 50) -> None:
        self.frame_bytes = frame_bytes
        self._clock = clock
        self.frame_s = frame_s
        self.guard_s = guard_s
        self.capacity = capacity
        self.adapt_frames = adapt_frames
        self._frames: deque[tuple[bytes, float]] = deque()
        self._lock = threading.Lock()
        self._playing = False
        self._started = False  # played before: later starts keep every frame
        self._last = bytes(frame_bytes)
        self._min_wait = float("inf")
        self._since_adapt = 0
        self.pushed = self.popped = 0
        self.underruns = self.overruns = self.adjustments = 0
        self._delay_sum = 0.0
        self._delay_max = 0.0
        self._delay_count = 0

    def push(self, frame: bytes) -> None:
        """A frame arrived from the far line."""
        with self._lock:
            self.pushed += 1
            if len(self._frames) >= self.capacity:
                self._frames.popleft()
                self.overruns += 1
            self._frames.append((frame, self._clock()))

    def pop(self) -> bytes:
        """The frame to play now (never blocks)."""
        with self._lock:
            self.popped += 1
            now = self._clock()
            if not self._playing:
                if not self._frames or now - self._frames[0][1] < self.guard_s:
                    return bytes(self.frame_bytes)
                self._playing = True
                if not self._started:
                    self._started = True
                    self._skip_stale(now)
            if not self._frames:
                self.underruns += 1
                self._playing = False  # wait for the guard again
                self._last = _quieter(self._last)
                return self._last
            self._since_adapt += 1
            if self._since_adapt >= self.adapt_frames:
                repeat = self._adapt()
                if repeat is not None:
                    return repeat
            frame, arrived = self._frames.popleft()
            waited = now - arrived
            self._min_wait = min(self._min_wait, waited)
            self._note_delay(waited)
            self._last = frame
            return frame

    def _skip_stale(self, now: float) -> None:
        while len(self._frames) > 1 and now - self._frames[0][1] > self.guard_s + self.frame_s:
            self._frames.popleft()
            self.adjustments += 1

    def _adapt(self) -> bytes | None:
        shortest, self._min_wait, self._since_adapt = self._min_wait, float("inf"), 0
        if shortest < self.guard_s / 2:
            self.adjustments += 1
            return self._last  # play the last frame again: every later frame waits longer
        limit = self.frame_s + 1.5 * self.guard_s
        if shortest > limit:  # every frame waited longer than needed: that much less delay
            excess = 1 + int((shortest - limit) / self.frame_s)
            for _ in range(min(excess, len(self._frames) - 1)):
                self.adjustments += 1
                self._frames.popleft()
        return None

    def _note_delay(self, delay: float) -> None:
        self._delay_sum += delay
        self._delay_count += 1
        self._delay_max = max(self._delay_max, delay)

    def figures(self) -> BufferFigures:
        with self._lock:
            mean = self._delay_sum / self._delay_count if self._delay_count else 0.0
            return BufferFigures(self.pushed, self.popped, self.underruns, self.overruns,
                                 self.adjustments, mean, self._delay_max, len(self._frames))


def _quieter(frame: bytes) -> bytes:
    samples = np.frombuffer(frame, dtype="<i2") * CONCEAL_GAIN
    return samples.astype("<i2").tobytes()
