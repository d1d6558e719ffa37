"""The two bounded hand-overs between a sound card's own thread (JACK's, PortAudio's) and
the media channel's thread, for one call.

The card's thread puts the caller's frames in (`heard`) and takes the box's frames out
(`next_said`), once a period, and never waits: a channel that falls behind loses the
oldest of the caller's frames (an overrun, counted); a period with nothing to send gets
None, and the port plays silence (an underrun, counted); a box that writes faster than
the card takes loses its oldest frame (counted). The channel's side (`read_frame`,
`write_frame`) raises VoicePortError once the card is gone.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import threading

from appliance.media.pcm import PcmFormat
from appliance.media.voice_port import VoicePortError


class FrameHandover:
    """Bounded queues both ways, and whether the card is gone (and why)."""

    def __init__(self, name: str, fmt: PcmFormat, *, in_frames: int, out_frames: int,
                 prefill_frames: int) -> None:
        self.name = name
        self._incoming: queue.Queue[bytes] = queue.Queue(in_frames)
        self._outgoing: collections.deque[bytes] = collections.deque(
            [fmt.silence()] * prefill_frames, maxlen=out_frames)
        self._gone = threading.Event()
        self._gone_reason = ""
        self.overruns = 0  # the caller's frames dropped: the channel did not keep up
        self.underruns = 0  # periods that sent silence: the channel wrote nothing in time
        self.said_dropped = 0  # the box's frames dropped: the card did not take them in time

    # --- the card's thread -----------------------------------------------------------------

    def heard(self, frame: bytes) -> None:
        """The caller's frame for the channel; when the queue is full the oldest goes."""
        try:
            self._incoming.put_nowait(frame)
        except queue.Full:
            self.overruns += 1
            with contextlib.suppress(queue.Empty):
                self._incoming.get_nowait()  # the oldest goes: the newest is what counts
            with contextlib.suppress(queue.Full):
                self._incoming.put_nowait(frame)

    def next_said(self) -> bytes | None:
        """The box's next frame for the card; None (an underrun) when there is none."""
        try:
            return self._outgoing.popleft()
        except IndexError:
            self.underruns += 1
            return None

    def end(self, reason: str) -> None:
        """The card is gone (or closed): the channel's next read or write says why."""
        if not self._gone.is_set():
            self._gone_reason = reason
            self._gone.set()

    # --- the media channel's thread --------------------------------------------------------

    def read_frame(self, timeout_s: float) -> bytes | None:
        if self._gone.is_set():
            raise VoicePortError(f"{self.name}: {self._gone_reason}")
        try:
            return self._incoming.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def write_frame(self, frame: bytes) -> None:
        if self._gone.is_set():
            raise VoicePortError(f"{self.name}: {self._gone_reason}")
        if len(self._outgoing) == self._outgoing.maxlen:
            self.said_dropped += 1  # a full deque drops its oldest frame (maxlen)
        self._outgoing.append(frame)

    def counts_text(self) -> str:
        return (f"{self.underruns} underruns, {self.overruns} overruns, "
                f"{self.said_dropped} of the box's frames dropped")
