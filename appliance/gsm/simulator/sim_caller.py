"""The person on the other end of a simulated call: speaks, presses keys as tones, and listens.

Whoever the modem's active call is with: the customer who rang in, or the
agent the box dialled (the voice port carries the active call, either way).

What the caller says (speech, tones, optional line noise) goes to the host
through the modem's voice port, one frame per 20 ms; everything the host
sends back is kept in `heard`, so a test can check by correlation and
energy what the caller really heard. `stall()` and `talk_garbage()` make
the voice port misbehave the two ways real ones do.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from appliance.media.pcm import NARROW_BAND, PcmFormat

GARBAGE = b"+CME ERROR: 100\r\nRDY\r\n+CPIN: READY\r\nSMS DONE\r\n"


class SimulatedCaller:
    """One caller's voice in and out, frame by frame."""

    def __init__(self, fmt: PcmFormat = NARROW_BAND,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fmt = fmt
        self.clock = clock
        self._uplink: deque[bytes] = deque()
        self.said = bytearray()  # every frame sent, as sent
        self.said_at: list[float] = []  # when each frame of `said` went
        self.heard = bytearray()
        self.heard_at: list[tuple[float, int]] = []  # (when, offset in `heard`) per write
        self.frames_sent = 0
        self.noise_dbfs: float | None = None
        self._noise_seed = 7
        self.stalled = False
        self.garbage = False
        # the modem hears the keys too: with its DTMF detection on it reports them (a URC)
        self.on_press: Callable[[str], None] | None = None

    def speak(self, pcm: bytes) -> int:
        """Say `pcm` (queued after whatever is still being said); where in `said` it begins."""
        begins = len(self.said) + len(self._uplink) * self.fmt.frame_bytes
        self._uplink.extend(self.fmt.frames(pcm))
        return begins

    def press(self, digits: str, *, on_s: float = 0.08, off_s: float = 0.08,
              level_dbfs: float = -12.0) -> None:
        """Press keys: their DTMF tones go down the line like any other sound."""
        from appliance.media.tones import dtmf_sequence

        self.speak(dtmf_sequence(digits, on_s=on_s, off_s=off_s, level_dbfs=level_dbfs,
                                 fmt=self.fmt))
        if self.on_press is not None:
            for digit in digits:
                self.on_press(digit)

    @property
    def is_speaking(self) -> bool:
        return bool(self._uplink)

    def stall(self, stalled: bool = True) -> None:
        """The voice port stops sending (the module's audio path froze)."""
        self.stalled = stalled

    def talk_garbage(self, on: bool = True) -> None:
        """The port sends text instead of audio (a misrouted port, a firmware log)."""
        self.garbage = on

    def uplink_frame(self) -> bytes | None:
        """The next frame towards the host; None while stalled."""
        if self.stalled:
            return None
        self.frames_sent += 1
        if self.garbage:
            text = GARBAGE * (self.fmt.frame_bytes // len(GARBAGE) + 1)
            return text[: self.fmt.frame_bytes]
        frame = self._uplink.popleft() if self._uplink else self.fmt.silence()
        if self.noise_dbfs is not None:
            frame = self._noisy(frame)
        self.said += frame
        self.said_at.append(self.clock())
        return frame

    def _noisy(self, frame: bytes) -> bytes:
        from appliance.media.tones import from_pcm, noise, to_pcm

        self._noise_seed += 1
        seconds = self.fmt.frame_ms / 1000
        hiss = noise(seconds, level_dbfs=self.noise_dbfs or -40.0, seed=self._noise_seed,
                     fmt=self.fmt)
        return to_pcm(from_pcm(frame) + hiss[: self.fmt.samples_per_frame])

    def downlink(self, data: bytes) -> None:
        """Bytes the host wrote to the voice port: what the caller hears."""
        self.heard_at.append((self.clock(), len(self.heard)))
        self.heard += data

    def said_time(self, byte_offset: int) -> float:
        """When the frame holding `said[byte_offset]` was sent."""
        return self.said_at[byte_offset // self.fmt.frame_bytes]

    def heard_time(self, byte_offset: int) -> float:
        """When the host wrote the byte at `heard[byte_offset]`."""
        when = self.heard_at[0][0]
        for at, start in self.heard_at:
            if start > byte_offset:
                break
            when = at
        return when
