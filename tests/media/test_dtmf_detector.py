"""In-band keys: every key found once, through noise and twist; speech and music press nothing."""

from __future__ import annotations

import pytest

from appliance.media.dtmf_detector import DtmfDetector
from appliance.media.hold_music import hold_music
from appliance.media.pcm import NARROW_BAND, WIDE_BAND, PcmFormat
from appliance.media.speech_cache import SpeechCache
from appliance.media.tones import dtmf, dtmf_sequence, from_pcm, noise, to_pcm

ALL_KEYS = "1234567890*#ABCD"


def keys_in(pcm: bytes, fmt: PcmFormat = NARROW_BAND) -> str:
    detector = DtmfDetector(fmt)
    return "".join(p.digit for frame in fmt.frames(pcm) for p in detector.feed(frame))


@pytest.mark.parametrize("noise_dbfs", [None, -40.0, -30.0, -25.0])
def test_every_key_is_found_once_through_noise(noise_dbfs: float | None) -> None:
    pcm = dtmf_sequence(ALL_KEYS, on_s=0.05, off_s=0.05, level_dbfs=-10.0)
    if noise_dbfs is not None:
        pcm = to_pcm(from_pcm(pcm) + noise(len(pcm) / 16000, level_dbfs=noise_dbfs))
    assert keys_in(pcm) == ALL_KEYS


def test_wide_band_lines_detect_too() -> None:
    assert keys_in(dtmf_sequence("159#", fmt=WIDE_BAND), WIDE_BAND) == "159#"


def test_a_held_key_counts_once_and_a_repeat_after_a_pause_again() -> None:
    held = dtmf("5", 1.5) + bytes(NARROW_BAND.byte_count(0.06)) + dtmf("5", 0.06)
    assert keys_in(held) == "55"


def test_too_short_a_tone_is_not_a_key() -> None:
    # ITU-T Q.24: receivers reject signals shorter than 23 ms
    assert keys_in(dtmf("7", 0.02) + bytes(800)) == ""


@pytest.mark.parametrize(("twist_db", "found"), [(0.0, "8"), (6.0, "8"), (-3.0, "8"),
                                                 (12.0, ""), (-9.0, "")])
def test_twist_beyond_the_limits_is_refused(twist_db: float, found: str) -> None:
    assert keys_in(dtmf("8", 0.1, twist_db=twist_db) + bytes(800)) == found


def test_quiet_line_noise_is_no_key() -> None:
    assert keys_in(to_pcm(noise(5.0, level_dbfs=-20.0))) == ""


def test_hold_music_presses_no_key() -> None:
    assert keys_in(hold_music()) == ""


@pytest.mark.parametrize("language", ["en", "fi"])
def test_speech_presses_no_key(speech: SpeechCache, language: str) -> None:
    text = {"en": "One two three four five six seven eight nine zero. Please hold the line, "
                  "your call is important to us. Press one for a callback.",
            "fi": "Yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän nolla. "
                  "Olkaa hyvä ja odottakaa, puhelunne on meille tärkeä."}[language]
    assert keys_in(speech.speak(text, language)) == ""


def test_a_key_over_speech_is_still_heard(speech: SpeechCache) -> None:
    talk = speech.speak("Hello, I would like to talk about my invoice please", "en")
    pressed = dtmf("3", 0.12, level_dbfs=-6.0)
    start = len(talk) // 2 - len(talk) // 2 % 2
    mixed = to_pcm(from_pcm(talk[start:start + len(pressed)]) * 0.2 + from_pcm(pressed))
    assert keys_in(talk[:start] + mixed + talk[start + len(pressed):]) == "3"
