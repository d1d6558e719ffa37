"""Frames from one line's clock, played out on another's: the bridge between line A and line B.

Two modems (or a modem and baresip) each tick at their own 20 ms, and
their crystals differ by tens of parts per million; a thread waking late
adds jitter on top. The buffer keeps a small, bounded queue between the two:
it starts playing after `prefill` frames, conceals a missing frame by
repeating the last one quieter (an underrun, counted), drops the oldest
when full (an overrun, counted), and corrects drift before it turns into
either: every `adapt_frames` pops it looks at the smallest depth it saw;
with no slack left it repeats one frame on purpose, with more than
`max_slack` frames of slack it drops one (both counted as adjustments).
Every frame carries its arrival time, so the delay the box adds is
measured, not guessed.
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

    def __init__(self, frame_bytes: int, clock: Callable[[], float], *, prefill: int = 1,
                 capacity: int = 8, adapt_frames: int = 250, max_slack: int = 2) -> None:
        self.frame_bytes = frame_bytes
        self._clock = clock
        self.prefill = prefill
        self.capacity = capacity
        self.adapt_frames = adapt_frames
        self.max_slack = max_slack
        self._frames: deque[tuple[bytes, float]] = deque()
        self._lock = threading.Lock()
        self._playing = False
        self._last = bytes(frame_bytes)
        self._min_depth = capacity
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
            if not self._playing:
                if len(self._frames) < self.prefill:
                    return bytes(self.frame_bytes)
                self._playing = True
            if not self._frames:
                self.underruns += 1
                self._playing = False  # build the prefill up again
                self._last = _quieter(self._last)
                return self._last
            self._min_depth = min(self._min_depth, len(self._frames) - 1)
            self._since_adapt += 1
            if self._since_adapt >= self.adapt_frames:
                frame = self._adapt()
                if frame is not None:
                    return frame
            frame, arrived = self._frames.popleft()
            self._note_delay(self._clock() - arrived)
            self._last = frame
            return frame

    def _adapt(self) -> bytes | None:
        slack, self._min_depth, self._since_adapt = self._min_depth, self.capacity, 0
        if slack <= 0:
            self.adjustments += 1
            return self._last  # play the last frame again: the queue gains one frame
        if slack > self.max_slack and len(self._frames) > 1:
            self.adjustments += 1
            self._frames.popleft()  # one frame less delay
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
