"""What the caller hears, one frame at a time: announcements in turn, hold music between them.

Announcements queue up and play one after another; hold music loops in
the background and pauses (or plays quietly under, with `music_under_db`)
while an announcement plays, resuming where it stopped. Silence otherwise.
Runs in the line's audio thread; the loop talks to it through the channel's
command queue, never directly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .pcm import PcmFormat

MAX_QUEUED = 16  # announcements waiting at once; more is a caller of this going wrong


@dataclass(frozen=True, slots=True)
class Clip:
    """A sound to play, already in the line's format, and the name its end is reported by."""

    name: str
    pcm: bytes


class QueueFull(RuntimeError):
    """Too many announcements are waiting."""


class Player:
    """Produces the outgoing frames of one call."""

    def __init__(self, fmt: PcmFormat, *, music_under_db: float | None = None) -> None:
        self.fmt = fmt
        self.music_under_db = music_under_db
        self._queue: deque[Clip] = deque()
        self._current: Clip | None = None
        self._position = 0
        self._music: bytes | None = None
        self._music_position = 0
        self.frames_played = 0

    @property
    def is_announcing(self) -> bool:
        return self._current is not None or bool(self._queue)

    @property
    def has_music(self) -> bool:
        return self._music is not None

    def announce(self, clip: Clip) -> None:
        """Queue an announcement after the ones already waiting."""
        if len(self._queue) >= MAX_QUEUED:
            raise QueueFull(f"{len(self._queue)} announcements already wait")
        self._queue.append(clip)

    def cancel_announcements(self) -> list[str]:
        """Drop the playing and waiting announcements; their names."""
        dropped = ([self._current.name] if self._current else []) + [c.name for c in self._queue]
        self._queue.clear()
        self._current = None
        self._position = 0
        return dropped

    def start_music(self, pcm: bytes) -> None:
        """Loop `pcm` between announcements (from its start)."""
        usable = len(pcm) - len(pcm) % self.fmt.frame_bytes
        self._music = pcm[:usable] if usable else None
        self._music_position = 0

    def stop_music(self) -> None:
        self._music = None

    def next_frame(self) -> tuple[bytes, str | None]:
        """The next frame, and the name of an announcement that ended with it (or None)."""
        self.frames_played += 1
        size = self.fmt.frame_bytes
        if self._current is None and self._queue:
            self._current, self._position = self._queue.popleft(), 0
        if self._current is None:
            return (self._music_frame() if self._music else self.fmt.silence()), None
        pcm = self._current.pcm
        frame = pcm[self._position:self._position + size]
        self._position += size
        finished = None
        if self._position >= len(pcm):
            finished = self._current.name
            self._current = None
        if len(frame) < size:
            frame = frame + bytes(size - len(frame))
        if self._music is not None and self.music_under_db is not None:
            frame = _mix(frame, self._music_frame(), 10 ** (self.music_under_db / 20))
        return frame, finished

    def _music_frame(self) -> bytes:
        music = self._music
        assert music is not None
        size = self.fmt.frame_bytes
        frame = music[self._music_position:self._music_position + size]
        self._music_position = (self._music_position + size) % len(music)
        return frame


def _mix(voice: bytes, music: bytes, gain: float) -> bytes:
    total = (np.frombuffer(voice, dtype="<i2").astype(np.int32)
             + (np.frombuffer(music, dtype="<i2") * gain).astype(np.int32))
    return np.clip(total, -32768, 32767).astype("<i2").tobytes()
