"""The shipped hold music: a gentle chord pattern made here, so it is free of anyone's rights.

Four chords (C major, A minor, F major, G major; two bars each at 66 beats
a minute) as soft pads with a slow broken-chord line over them, every note
inside the telephone band (300-3400 Hz) so a GSM or G.711 line carries it
without losing the bass. Generated from numbers at first use (a few
milliseconds with numpy), identical every time, and shaped so its end runs
into its start without a click when it loops.
"""

from __future__ import annotations

import numpy as np

from .pcm import NARROW_BAND, PcmFormat
from .tones import to_pcm

BEATS_PER_MINUTE = 66
BEATS_PER_CHORD = 8
# MIDI note numbers, voiced in octave 4-5 so every fundamental is at or above middle C (262 Hz)
CHORDS = ((60, 64, 67), (64, 69, 72), (65, 69, 72), (62, 67, 71))
ARPEGGIO = (0, 1, 2, 1, 0, 2, 1, 2)  # chord tone per beat, an octave up
LEVEL = 0.22  # peak well under full scale: music under speech level


def _hz(midi: int) -> float:
    return float(440.0 * 2 ** ((midi - 69) / 12))


def _note(freq: float, n: int, rate: int, attack_s: float, release_s: float) -> np.ndarray:
    t = np.arange(n) / rate
    wave = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
    envelope = np.minimum(1.0, t / attack_s) * np.minimum(1.0, (n / rate - t) / release_s)
    result: np.ndarray = wave * np.clip(envelope, 0.0, 1.0)
    return result


def hold_music(fmt: PcmFormat = NARROW_BAND) -> bytes:
    """One loop of the default hold music (about 29 s) as the line's PCM."""
    rate = fmt.rate_hz
    beat = int(rate * 60 / BEATS_PER_MINUTE)
    chord_len = beat * BEATS_PER_CHORD
    out = np.zeros(chord_len * len(CHORDS))
    for i, chord in enumerate(CHORDS):
        start = i * chord_len
        pad = sum(_note(_hz(m), chord_len, rate, 0.6, 0.6) for m in chord)
        out[start:start + chord_len] += 0.5 * np.asarray(pad) / len(chord)
        for b, tone_index in enumerate(ARPEGGIO):
            note = _note(_hz(chord[tone_index] + 12), beat, rate, 0.02, 0.4)
            out[start + b * beat:start + (b + 1) * beat] += 0.35 * note
    peak = float(np.max(np.abs(out))) or 1.0
    # whole frames only, so the loop restarts on a frame boundary
    usable = len(out) - len(out) % fmt.samples_per_frame
    return to_pcm(out[:usable] * (LEVEL / peak))
