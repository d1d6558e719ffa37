"""Measuring audio: level, and where (and how well) one signal is found in another.

Used by the voicemail recorder (silence), the tests and the benchmark
(does the caller hear the prompt, with what delay).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .pcm import NARROW_BAND, PcmFormat
from .tones import from_pcm

SILENCE_FLOOR_DBFS = -96.0


def rms_dbfs(pcm: bytes | bytearray | memoryview) -> float:
    """RMS level of the PCM in dB relative to full scale (-96 for digital silence)."""
    if not pcm:
        return SILENCE_FLOOR_DBFS
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    rms = math.sqrt(float(np.mean(samples * samples)))
    return 20 * math.log10(rms / 32768.0) if rms > 0 else SILENCE_FLOOR_DBFS


@dataclass(frozen=True, slots=True)
class Match:
    """Where a reference was found: its lag in the received signal and the correlation there."""

    lag_samples: int
    correlation: float  # normalised, 1.0 = identical shape

    def lag_seconds(self, fmt: PcmFormat = NARROW_BAND) -> float:
        return self.lag_samples / fmt.rate_hz


def find(reference: bytes, received: bytes) -> Match:
    """The best match of `reference` inside `received` (normalised cross-correlation by FFT)."""
    ref = from_pcm(reference)
    rec = from_pcm(received)
    if len(ref) == 0 or len(rec) < len(ref):
        return Match(0, 0.0)
    size = 1 << (len(rec) + len(ref)).bit_length()
    spectrum = np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size))
    corr = np.fft.irfft(spectrum, size)[: len(rec) - len(ref) + 1]
    # energy of each window of `received` the reference could sit in
    squares = np.concatenate(([0.0], np.cumsum(rec * rec)))
    window = squares[len(ref):] - squares[: len(rec) - len(ref) + 1]
    ref_energy = float(np.dot(ref, ref))
    denominator = np.sqrt(np.maximum(window, 1e-12) * max(ref_energy, 1e-12))
    normalised = corr / denominator
    lag = int(np.argmax(normalised))
    return Match(lag, float(normalised[lag]))
