"""Tones as PCM: sine tones, DTMF digits, the voicemail beep, noise (for prompts and tests).

DTMF frequencies from ITU-T Q.23 §2 (rows 697/770/852/941 Hz, columns
1209/1336/1477/1633 Hz).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from .pcm import NARROW_BAND, PcmFormat

ROWS_HZ: Final = (697.0, 770.0, 852.0, 941.0)
COLUMNS_HZ: Final = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD: Final = ("123A", "456B", "789C", "*0#D")
FULL_SCALE: Final = 32767.0


def digit_frequencies(digit: str) -> tuple[float, float]:
    """(row, column) frequency of a keypad key."""
    for row, keys in enumerate(KEYPAD):
        column = keys.find(digit.upper())
        if column != -1:
            return ROWS_HZ[row], COLUMNS_HZ[column]
    raise ValueError(f"not a DTMF key: {digit!r}")


def to_pcm(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as s16le bytes (clipped)."""
    clipped = np.clip(samples * FULL_SCALE, -32768, 32767)
    return clipped.astype("<i2").tobytes()


def from_pcm(pcm: bytes | bytearray | memoryview) -> np.ndarray:
    """s16le bytes as float samples in [-1, 1]."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE


def sine(freq_hz: float, seconds: float, *, level_dbfs: float = -10.0,
         fmt: PcmFormat = NARROW_BAND, phase: float = 0.0) -> np.ndarray:
    """A sine tone as float samples; `level_dbfs` is its peak level."""
    n = int(seconds * fmt.rate_hz)
    t = np.arange(n) / fmt.rate_hz
    return float(10 ** (level_dbfs / 20)) * np.sin(2 * np.pi * freq_hz * t + phase)


def tone(freq_hz: float, seconds: float, *, level_dbfs: float = -10.0,
         fmt: PcmFormat = NARROW_BAND) -> bytes:
    """A sine tone as PCM."""
    return to_pcm(sine(freq_hz, seconds, level_dbfs=level_dbfs, fmt=fmt))


def dtmf(digit: str, seconds: float = 0.1, *, level_dbfs: float = -10.0,
         twist_db: float = 0.0, fmt: PcmFormat = NARROW_BAND) -> bytes:
    """One key as its two tones; `twist_db` > 0 makes the column tone louder (Q.24 twist)."""
    low, high = digit_frequencies(digit)
    each = level_dbfs - 6.0  # two tones of equal peak add to twice the peak
    samples = (sine(low, seconds, level_dbfs=each, fmt=fmt)
               + sine(high, seconds, level_dbfs=each + twist_db, fmt=fmt))
    return to_pcm(samples)


def dtmf_sequence(digits: str, *, on_s: float = 0.1, off_s: float = 0.1,
                  level_dbfs: float = -10.0, fmt: PcmFormat = NARROW_BAND) -> bytes:
    """Keys pressed one after another, each followed by a pause."""
    gap = bytes(fmt.byte_count(off_s))
    return b"".join(dtmf(d, on_s, level_dbfs=level_dbfs, fmt=fmt) + gap for d in digits)


def beep(fmt: PcmFormat = NARROW_BAND) -> bytes:
    """The short tone before a voicemail recording starts (1 kHz, 0.4 s, faded in and out)."""
    samples = sine(1000.0, 0.4, level_dbfs=-12.0, fmt=fmt)
    ramp = np.linspace(0.0, 1.0, int(0.01 * fmt.rate_hz))
    samples[:len(ramp)] *= ramp
    samples[-len(ramp):] *= ramp[::-1]
    return to_pcm(samples)


def noise(seconds: float, *, level_dbfs: float = -30.0, seed: int = 1,
          fmt: PcmFormat = NARROW_BAND) -> np.ndarray:
    """White noise at an RMS level, as float samples (a noisy line, a room)."""
    rng = np.random.default_rng(seed)
    return float(10 ** (level_dbfs / 20)) * rng.standard_normal(int(seconds * fmt.rate_hz))


def mix(*parts: bytes) -> bytes:
    """PCM clips summed sample by sample (the shortest sets the length), clipped."""
    arrays = [from_pcm(p) for p in parts]
    n = min(len(a) for a in arrays)
    return to_pcm(sum((a[:n] for a in arrays), np.zeros(n)))
