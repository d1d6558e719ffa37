"""The line's side of the media path: a port that gives the caller's frames and takes ours.

Each line exposes one: a modem's serial voice port (gsm/serial_voice_port.py),
a USB audio card, baresip's audio. Reads block (they run in the channel's
thread, never on the loop) and are paced by the line: a modem sends a
frame every 20 ms and takes one for each.
"""

from __future__ import annotations

from typing import Protocol

from .pcm import PcmFormat


class VoicePortError(OSError):
    """The voice port failed (gone, refused, closed)."""


class VoicePort(Protocol):
    """One call's audio on a line."""

    name: str
    fmt: PcmFormat

    def read_frame(self, timeout_s: float) -> bytes | None:
        """The caller's next frame; None when none came within `timeout_s`."""

    def write_frame(self, frame: bytes) -> None:
        """Send one frame to the caller."""

    def close(self) -> None:
        """Release the port (idempotent)."""
