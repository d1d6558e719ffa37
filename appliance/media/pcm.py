"""The one audio format inside the box: signed 16-bit little-endian mono PCM in 20 ms frames.

8 kHz is what a GSM voice call carries (the modems' voice ports give it,
ITU-T G.711 rate); 16 kHz is the wide-band option some firmwares offer
(SIMCom AT+CPCMFRM=1) and the rate baresip's wide-band codecs use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

SAMPLE_BYTES: Final = 2  # s16le
FRAME_MS: Final = 20
RATES_HZ: Final = (8000, 16000)


@dataclass(frozen=True, slots=True)
class PcmFormat:
    """A line's PCM: sample rate and frame length (mono, s16le)."""

    rate_hz: int = 8000
    frame_ms: int = FRAME_MS

    def __post_init__(self) -> None:
        if self.rate_hz not in RATES_HZ:
            raise ValueError(f"sample rate must be one of {RATES_HZ}, not {self.rate_hz}")

    @property
    def samples_per_frame(self) -> int:
        return self.rate_hz * self.frame_ms // 1000

    @property
    def frame_bytes(self) -> int:
        """320 bytes at 8 kHz, 640 at 16 kHz."""
        return self.samples_per_frame * SAMPLE_BYTES

    @property
    def frames_per_second(self) -> int:
        return 1000 // self.frame_ms

    def silence(self) -> bytes:
        """One frame of digital silence."""
        return bytes(self.frame_bytes)

    def seconds(self, pcm: bytes | bytearray | memoryview) -> float:
        """How long `pcm` lasts."""
        return len(pcm) / (SAMPLE_BYTES * self.rate_hz)

    def byte_count(self, seconds: float) -> int:
        """Bytes of `seconds` of audio, rounded down to whole samples."""
        return int(seconds * self.rate_hz) * SAMPLE_BYTES

    def frames(self, pcm: bytes) -> Iterator[bytes]:
        """`pcm` cut into whole frames; the last one padded with silence."""
        size = self.frame_bytes
        for start in range(0, len(pcm), size):
            frame = pcm[start:start + size]
            if len(frame) < size:
                frame = frame + bytes(size - len(frame))
            yield frame


NARROW_BAND: Final = PcmFormat(8000)
WIDE_BAND: Final = PcmFormat(16000)
