"""Keys pressed by the caller, found in the call's own audio (in-band DTMF).

Used where the line gives no key events: a modem voice port without DTMF
URCs, a SIP peer that sends no RFC 4733 events. Written here rather than
taken from PyPI: the packages found there (pydtmf, dtmf-detector, dtmf)
either only generate tones or detect without the twist, relative-peak,
harmonic and duration checks that keep speech and hold music from
"pressing" keys (talk-off), which is what a queue's menu needs.

Each 10 ms hop, the last 20 ms are analysed with single-bin DFTs (the
Goertzel idea, done as one matrix product) at the eight ITU-T Q.23
frequencies and at the second harmonics of the two winners. A window
counts as a key when:

- both tones are loud enough (each above `min_tone_dbfs`);
- the two tones carry most of the window's energy (`min_tone_share`):
  speech and music spread theirs over the band;
- each winner beats the runner-up of its group by `min_peak_margin_db`;
- the twist (level difference of the two tones) stays inside the limits
  receivers use: the high group up to 8 dB above the low, up to 4 dB below;
- neither tone has a strong second harmonic (vowels do; pure tones not).

A key is reported once, when two consecutive windows agree (a tone of at
least ~30 ms, Q.24 asks receivers to accept 40 ms and reject under 23 ms),
and released after two windows without it (the pause between presses).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .pcm import NARROW_BAND, PcmFormat
from .tones import COLUMNS_HZ, FULL_SCALE, KEYPAD, ROWS_HZ

WINDOW_MS = 20
HOP_MS = 10
CONFIRM_WINDOWS = 2
RELEASE_WINDOWS = 2


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Thresholds of the in-band key detector."""

    min_tone_dbfs: float = -38.0  # each tone's peak level
    min_tone_share: float = 0.6  # of the window's energy in the two tones
    min_peak_margin_db: float = 6.0  # winner over runner-up within its group
    max_high_over_low_db: float = 8.0  # "normal" twist
    max_low_over_high_db: float = 4.0  # "reverse" twist
    max_harmonic_db: float = -10.0  # second harmonic against the fundamental


@dataclass(frozen=True, slots=True)
class KeyPress:
    """A key and where its tone started, in samples on the clock the detector was started at."""

    digit: str
    at_sample: int


class DtmfDetector:
    """Feed PCM frames; get the keys pressed."""

    def __init__(self, fmt: PcmFormat = NARROW_BAND,
                 settings: DetectorSettings | None = None, *, start_sample: int = 0) -> None:
        self.fmt = fmt
        self.settings = settings or DetectorSettings()
        self.window = fmt.rate_hz * WINDOW_MS // 1000
        self.hop = fmt.rate_hz * HOP_MS // 1000
        freqs = np.array([*ROWS_HZ, *COLUMNS_HZ])
        n = np.arange(self.window)
        self._basis = np.exp(-2j * np.pi * np.outer(freqs, n) / fmt.rate_hz)
        self._n = n
        self._buffer = np.zeros(0)
        self._consumed = start_sample  # samples before the buffer's start (the call's clock)
        self._candidate: str | None = None
        self._candidate_count = 0
        self._candidate_at = 0
        self._current: str | None = None
        self._absent = 0
        s = self.settings
        self._min_power = (10 ** (s.min_tone_dbfs / 20)) ** 2 / 2  # mean power of a sine
        self._margin = 10 ** (s.min_peak_margin_db / 10)
        self._high_over_low = 10 ** (s.max_high_over_low_db / 10)
        self._low_over_high = 10 ** (s.max_low_over_high_db / 10)
        self._harmonic = 10 ** (s.max_harmonic_db / 10)

    def feed(self, pcm: bytes | bytearray | memoryview) -> list[KeyPress]:
        """Analyse the new audio; the keys whose press was confirmed in it."""
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE
        self._buffer = np.concatenate((self._buffer, samples))
        found: list[KeyPress] = []
        while len(self._buffer) >= self.window:
            key = self._classify(self._buffer[: self.window])
            press = self._track(key, self._consumed)
            if press is not None:
                found.append(press)
            self._buffer = self._buffer[self.hop:]
            self._consumed += self.hop
        return found

    def _powers(self, window: np.ndarray, freqs: list[float]) -> np.ndarray:
        basis = np.exp(-2j * np.pi * np.outer(freqs, self._n) / self.fmt.rate_hz)
        return self._mean_tone_power(basis @ window)

    def _mean_tone_power(self, spectrum: np.ndarray) -> np.ndarray:
        # a sine of peak A gives |X| = A*N/2; its mean power is A^2/2 = 2|X|^2/N^2
        magnitude = np.abs(spectrum)
        result: np.ndarray = 2 * magnitude * magnitude / (self.window * self.window)
        return result

    def _classify(self, window: np.ndarray) -> str | None:
        total = float(np.dot(window, window)) / self.window  # mean power of the window
        if total < self._min_power:
            return None
        powers = self._mean_tone_power(self._basis @ window)
        rows, cols = powers[:4], powers[4:]
        r, c = int(np.argmax(rows)), int(np.argmax(cols))
        row, col = float(rows[r]), float(cols[c])
        if row < self._min_power or col < self._min_power:
            return None
        if (row + col) < self.settings.min_tone_share * total:
            return None
        if row < self._margin * _runner_up(rows, r) or col < self._margin * _runner_up(cols, c):
            return None
        if col > row * self._high_over_low or row > col * self._low_over_high:
            return None
        harmonics = self._powers(window, [2 * ROWS_HZ[r], 2 * COLUMNS_HZ[c]])
        if harmonics[0] > row * self._harmonic or harmonics[1] > col * self._harmonic:
            return None
        return KEYPAD[r][c]

    def _track(self, key: str | None, at: int) -> KeyPress | None:
        if key is not None and key == self._current:
            self._absent = 0
            return None
        if self._current is not None:  # another key or none: the held key may be released
            self._absent += 1
            if self._absent >= RELEASE_WINDOWS:
                self._current = None
                self._absent = 0
        if key is None:
            self._candidate, self._candidate_count = None, 0
            return None
        if key == self._candidate:
            self._candidate_count += 1
        else:
            self._candidate, self._candidate_count, self._candidate_at = key, 1, at
        if self._candidate_count >= CONFIRM_WINDOWS and self._current is None:
            self._current = key
            self._absent = 0
            return KeyPress(key, self._candidate_at)
        return None


def _runner_up(group: np.ndarray, winner: int) -> float:
    others = [float(v) for i, v in enumerate(group) if i != winner]
    return max(others) if others else 0.0


def level_dbfs(mean_power: float) -> float:
    """A sine's peak level in dBFS from its mean power (for logs and tests)."""
    return 10 * math.log10(max(mean_power * 2, 1e-20)) if mean_power > 0 else -200.0
