"""Typed prompts in Finnish and English: rendered once, cached; queue sentences from pieces."""

from __future__ import annotations

import pytest

from appliance.media.announcer import Announcer, NotPrepared
from appliance.media.pcm import NARROW_BAND
from appliance.media.queue_phrases import number_keys, position_keys, wait_keys
from appliance.media.signal_level import find, rms_dbfs
from appliance.media.speech_cache import SpeechCache, SpeechError


@pytest.mark.parametrize(("language", "text"), [("fi", "Tervetuloa, soitatte Aspalle."),
                                                ("en", "Welcome, you have reached Aspa.")])
def test_text_is_spoken_once_then_served_from_the_cache(speech: SpeechCache, language: str,
                                                        text: str) -> None:
    first = speech.speak(text, language)
    assert NARROW_BAND.seconds(first) > 0.8 and rms_dbfs(first) > -30
    assert speech.rendered == 1
    again = SpeechCache(speech.directory, NARROW_BAND)  # a restarted box
    assert again.cached(text, language) == first
    assert again.speak(text, language) == first and again.rendered == 0


def test_bad_requests_say_why(speech: SpeechCache) -> None:
    with pytest.raises(SpeechError, match="empty"):
        speech.speak("   ", "fi")
    with pytest.raises(SpeechError, match="no voice"):
        speech.speak("Hej", "sv")


def test_numbers_are_built_from_pieces() -> None:
    assert number_keys(3) == ["n.3"]
    assert number_keys(42) == ["n.40", "n.2"]
    assert number_keys(250) == ["n.90", "n.9"]
    assert position_keys("en", 3) == ["position.before", "n.3", "position.after"]
    assert position_keys("fi", 21) == ["position.before", "n.20", "n.1"]
    assert wait_keys("fi", 61) == ["wait.before", "n.2", "wait.minutes"]
    assert wait_keys("en", 60) == ["wait.before", "n.1", "wait.minute"]
    assert wait_keys("en", 20) == ["wait.under_minute"]


def test_announcements_join_prerendered_pieces_without_the_engine(speech: SpeechCache) -> None:
    announcer = Announcer(speech)
    with pytest.raises(NotPrepared):
        announcer.position("fi", 3)
    announcer.prepare(["fi", "en"])
    rendered = speech.rendered
    three = announcer.position("en", 3)
    two = announcer.position("en", 2)
    wait = announcer.expected_wait("fi", 300)
    assert speech.rendered == rendered  # nothing synthesised while a caller waits
    piece_three = speech.speak("three", "en")
    assert find(piece_three, three).correlation > 0.99
    assert find(piece_three, two).correlation < 0.9
    assert find(speech.speak("viisi", "fi"), wait).correlation > 0.99
