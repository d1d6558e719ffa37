"""Telling a working voice port from one that stalls or talks garbage.

A voice port that stops sending frames (the modem hung, the call's audio
path was torn down) is stalled after `stall_seconds` without a frame. One
that sends text (the AT port named by mistake, a modem printing URCs or a
boot log on it) is found by its bytes: PCM of a voice call is almost
never a run of printable ASCII, so `garbage_frames` such frames in a row
mean the port is not carrying audio. The clock is injected for tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_PRINTABLE = frozenset(range(0x20, 0x7F)) | {0x0A, 0x0D}
_TEXT_SHARE = 0.95


@dataclass(frozen=True, slots=True)
class HealthRules:
    """When a voice port counts as failed."""

    stall_seconds: float = 2.0
    garbage_frames: int = 10


def looks_like_text(frame: bytes) -> bool:
    """True when nearly every byte is printable ASCII (and the frame is not silence)."""
    if not frame or not any(frame):
        return False
    printable = sum(1 for b in frame if b in _PRINTABLE)
    return printable >= _TEXT_SHARE * len(frame)


class PortHealth:
    """Fed every read; says why the port should be given up, or None while it works."""

    def __init__(self, clock: Callable[[], float], rules: HealthRules | None = None) -> None:
        self.clock = clock
        self.rules = rules or HealthRules()
        self._last_frame_at = clock()
        self._text_run = 0
        self.frames = 0
        self.stalls = 0  # reads that came back empty

    def frame(self, frame: bytes) -> str | None:
        """A frame arrived; a reason to give up, or None."""
        self.frames += 1
        self._last_frame_at = self.clock()
        if looks_like_text(frame):
            self._text_run += 1
            if self._text_run >= self.rules.garbage_frames:
                return "the voice port sends text, not audio (is it the AT port?)"
        else:
            self._text_run = 0
        return None

    def nothing(self) -> str | None:
        """A read timed out; a reason to give up, or None."""
        self.stalls += 1
        quiet = self.clock() - self._last_frame_at
        if quiet >= self.rules.stall_seconds:
            return f"the voice port sent no audio for {quiet:.1f} s"
        return None
