"""What the audio threads tell the loop: keys, prompts played, recordings, a failing port."""

from __future__ import annotations

from dataclasses import dataclass

from .voicemail_recorder import Recording


@dataclass(frozen=True, slots=True)
class KeyDetected:
    """The caller pressed a key: heard in the audio, or reported by the line (RFC 4733)."""

    channel: str
    digit: str
    reported_by_line: bool = False


@dataclass(frozen=True, slots=True)
class PromptFinished:
    """An announcement has been played to its end."""

    channel: str
    name: str


@dataclass(frozen=True, slots=True)
class RecordingFinished:
    """A voicemail recording ended."""

    channel: str
    recording: Recording


@dataclass(frozen=True, slots=True)
class PortFailed:
    """The line's voice port stalled, talked garbage or vanished; the channel has stopped."""

    channel: str
    reason: str


MediaEvent = KeyDetected | PromptFinished | RecordingFinished | PortFailed
