"""The shipped hold music: the same every time, in the telephone band, loops without a click."""

from __future__ import annotations

import numpy as np

from appliance.media.hold_music import hold_music
from appliance.media.pcm import NARROW_BAND, WIDE_BAND
from appliance.media.signal_level import rms_dbfs
from appliance.media.tones import from_pcm


def test_it_is_deterministic_and_whole_frames() -> None:
    music = hold_music()
    assert music == hold_music()
    assert len(music) % NARROW_BAND.frame_bytes == 0
    assert 25 < NARROW_BAND.seconds(music) < 35
    assert len(hold_music(WIDE_BAND)) % WIDE_BAND.frame_bytes == 0


def test_it_sits_in_the_telephone_band_at_a_gentle_level() -> None:
    samples = from_pcm(hold_music())
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1 / 8000)
    in_band = spectrum[(freqs >= 250) & (freqs <= 3400)].sum()
    assert in_band / spectrum.sum() > 0.99
    assert -30 < rms_dbfs(hold_music()) < -15


def test_loop_point_has_no_click() -> None:
    samples = from_pcm(hold_music())
    assert abs(samples[0]) < 0.01 and abs(samples[-1]) < 0.01
