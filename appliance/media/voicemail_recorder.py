"""A caller's message after the tone: kept until they fall silent or the time is up.

Bounded by `max_seconds` (so memory is too: 8 kHz s16 is 16 KB/s, a
three-minute message under 3 MB). Speech is told from silence by frame
level; the message ends after `silence_seconds` of quiet once the caller
has spoken, or after `no_speech_seconds` if they never do. Trailing
silence is cut from what is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .pcm import PcmFormat
from .signal_level import rms_dbfs


class StopReason(StrEnum):
    """Why a recording ended."""

    SILENCE = "silence"  # the caller stopped talking
    MAX_LENGTH = "max_length"
    NO_SPEECH = "no_speech"  # nothing was said
    HANG_UP = "hang_up"  # the call ended (or the recording was stopped)


@dataclass(frozen=True, slots=True)
class RecordingRules:
    """When a voicemail stops."""

    max_seconds: float = 120.0
    silence_seconds: float = 4.0
    no_speech_seconds: float = 8.0
    speech_dbfs: float = -40.0  # a frame louder than this counts as speech


@dataclass(frozen=True, slots=True)
class Recording:
    """A finished message: the PCM, why it stopped, how long the kept sound is."""

    pcm: bytes
    reason: StopReason
    seconds: float
    spoke: bool


class VoicemailRecorder:
    """Feed the caller's frames; `feed` says when the message is over."""

    def __init__(self, fmt: PcmFormat, rules: RecordingRules | None = None) -> None:
        self.fmt = fmt
        self.rules = rules or RecordingRules()
        self._pcm = bytearray()
        self._last_speech_end = 0  # bytes kept up to the last speech frame
        self._quiet_frames = 0
        self._spoke = False
        self.result: Recording | None = None

    def feed(self, frame: bytes) -> Recording | None:
        """Take one frame; the recording once it has ended (then it ignores more frames)."""
        if self.result is not None:
            return self.result
        self._pcm += frame
        rules = self.rules
        if rms_dbfs(frame) > rules.speech_dbfs:
            self._spoke = True
            self._quiet_frames = 0
            self._last_speech_end = len(self._pcm)
        else:
            self._quiet_frames += 1
        quiet_s = self._quiet_frames * self.fmt.frame_ms / 1000
        if self._spoke and quiet_s >= rules.silence_seconds:
            return self._finish(StopReason.SILENCE)
        if not self._spoke and quiet_s >= rules.no_speech_seconds:
            return self._finish(StopReason.NO_SPEECH)
        if self.fmt.seconds(self._pcm) >= rules.max_seconds:
            return self._finish(StopReason.MAX_LENGTH)
        return None

    def stop(self) -> Recording:
        """End now (the caller hung up): what was said so far."""
        if self.result is not None:
            return self.result
        return self._finish(StopReason.HANG_UP)

    def _finish(self, reason: StopReason) -> Recording:
        keep_to = len(self._pcm) if reason is StopReason.MAX_LENGTH else self._last_speech_end
        # keep a short breath after the last word, as a person would hear it
        tail = self.fmt.byte_count(0.3)
        pcm = bytes(self._pcm[:min(len(self._pcm), keep_to + tail)]) if self._spoke else b""
        self.result = Recording(pcm, reason, self.fmt.seconds(pcm), self._spoke)
        self._pcm = bytearray()
        return self.result
