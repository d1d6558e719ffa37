"""A key sent both as an RFC 4733 event and as a tone counts once, on the call's media clock."""

from __future__ import annotations

import pytest

from appliance.media.key_merge import KeyMerger
from appliance.media.media_channel import MediaChannel
from appliance.media.media_events import KeyDetected, MediaEvent
from appliance.media.pcm import NARROW_BAND
from appliance.media.tones import dtmf, from_pcm, noise, to_pcm

RATE = NARROW_BAND.rate_hz
MS = RATE // 1000  # samples per millisecond


def at_ms(ms: int) -> int:
    return ms * MS


# --- the merger alone ---------------------------------------------------------------------

def test_a_tone_heard_after_its_event_is_dropped() -> None:
    merger = KeyMerger(RATE)
    assert merger.line_key_started("5", at_ms(1000))
    merger.line_key_ended(at_ms(1100))
    assert not merger.heard("5", at_ms(1080), now=at_ms(1150))
    assert merger.dropped == 1


def test_an_event_arriving_after_its_tone_was_heard_is_dropped() -> None:
    merger = KeyMerger(RATE)
    assert merger.heard("5", at_ms(1000), now=at_ms(1040))
    assert not merger.line_key_started("5", at_ms(1200))


def test_a_held_event_covers_a_tone_heard_while_it_lasts() -> None:
    merger = KeyMerger(RATE)
    assert merger.line_key_started("0", at_ms(0))
    assert not merger.heard("0", at_ms(2500), now=at_ms(2540))  # no end yet: still pressed


def test_the_same_key_pressed_again_later_counts_again() -> None:
    merger = KeyMerger(RATE)
    assert merger.line_key_started("5", at_ms(0))
    merger.line_key_ended(at_ms(100))
    assert merger.heard("5", at_ms(1500), now=at_ms(1540))  # beyond the guard: a new press


def test_a_fast_double_press_sent_both_ways_stays_two_keys() -> None:
    merger = KeyMerger(RATE)
    counted = [merger.line_key_started("1", at_ms(0))]
    merger.line_key_ended(at_ms(80))
    counted.append(merger.heard("1", at_ms(60), now=at_ms(100)))
    counted.append(merger.line_key_started("1", at_ms(160)))
    merger.line_key_ended(at_ms(240))
    counted.append(merger.heard("1", at_ms(220), now=at_ms(260)))
    assert counted == [True, False, True, False]


def test_another_digit_is_never_paired() -> None:
    merger = KeyMerger(RATE)
    assert merger.line_key_started("1", at_ms(0))
    assert merger.heard("2", at_ms(40), now=at_ms(80))
    assert merger.dropped == 0


def test_keys_sent_only_as_tones_all_count() -> None:
    merger = KeyMerger(RATE)
    assert all(merger.heard(d, at_ms(200 * i), now=at_ms(200 * i + 40))
               for i, d in enumerate("1212"))


def test_a_tone_cut_in_two_within_its_event_is_dropped_whole() -> None:
    merger = KeyMerger(RATE)
    assert merger.line_key_started("3", at_ms(0))
    merger.line_key_ended(at_ms(200))
    assert not merger.heard("3", at_ms(50), now=at_ms(90))
    assert not merger.heard("3", at_ms(190), now=at_ms(230))  # a lost packet split the tone


def test_a_tone_cut_in_two_before_its_late_event_still_counts_once() -> None:
    merger = KeyMerger(RATE)
    assert merger.heard("3", at_ms(0), now=at_ms(40))
    assert not merger.line_key_started("3", at_ms(40))  # pairs with the tone counted
    assert not merger.heard("3", at_ms(140), now=at_ms(180))  # the tone's second half


def test_a_late_event_pairs_with_one_tone_only() -> None:
    merger = KeyMerger(RATE)
    assert merger.heard("3", at_ms(0), now=at_ms(40))
    assert not merger.line_key_started("3", at_ms(60))
    merger.line_key_ended(at_ms(100))
    assert merger.line_key_started("3", at_ms(250))  # the second press, its tone not heard yet
    assert not merger.heard("3", at_ms(260), now=at_ms(300))


# --- the channel: synthetic frames through the detector, events between frames ------------

class FramePort:
    """A voice port for simulated time: the test hands the channel its frames itself."""

    name = "synthetic"
    fmt = NARROW_BAND

    def read_frame(self, timeout_s: float) -> bytes | None:
        return None

    def write_frame(self, frame: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def channel() -> tuple[MediaChannel, list[MediaEvent]]:
    events: list[MediaEvent] = []
    return MediaChannel("voip0:c1", FramePort(), events.append), events


def play(ch: MediaChannel, pcm: bytes, *, line_key_at_frame: dict[int, str] | None = None,
         release_at_frame: set[int] | None = None) -> None:
    """Feed `pcm` frame by frame; the line's key events arrive before the frames named."""
    for index, frame in enumerate(NARROW_BAND.frames(pcm)):
        if line_key_at_frame and index in line_key_at_frame:
            ch.line_key(line_key_at_frame[index])
        if release_at_frame and index in release_at_frame:
            ch.line_key_ended()
        ch.process(frame)


def keys(events: list[MediaEvent]) -> list[tuple[str, bool]]:
    return [(e.digit, e.reported_by_line) for e in events if isinstance(e, KeyDetected)]


def press(digit: str, on_s: float = 0.12) -> bytes:
    """A key's tone with line noise, then a pause."""
    tone = dtmf(digit, on_s, level_dbfs=-12.0) + bytes(NARROW_BAND.byte_count(0.3))
    return to_pcm(from_pcm(tone) + noise(NARROW_BAND.seconds(tone), level_dbfs=-40.0))


@pytest.mark.parametrize("event_frame", [0, 10, 14, 22])
def test_a_key_sent_both_ways_counts_once_whichever_comes_first(event_frame: int) -> None:
    # the tone starts at frame 10 (200 ms of silence first). Frame 0: the event well before
    # the tone (the usual order: the tone waits in baresip's jitter buffer); frames 14, 22:
    # the tone was heard and counted before the event reached the audio thread
    ch, events = channel()
    play(ch, bytes(NARROW_BAND.byte_count(0.2)) + press("5"),
         line_key_at_frame={event_frame: "5"}, release_at_frame={event_frame + 6})
    assert [d for d, _ in keys(events)] == ["5"]
    assert ch.key_merger.dropped == 1


def test_an_event_first_is_the_key_counted() -> None:
    ch, events = channel()
    play(ch, bytes(NARROW_BAND.byte_count(0.2)) + press("7"), line_key_at_frame={8: "7"},
         release_at_frame={15})
    assert keys(events) == [("7", True)]


def test_a_tone_long_after_the_event_is_a_second_press() -> None:
    ch, events = channel()
    play(ch, bytes(NARROW_BAND.byte_count(2.0)) + press("7"), line_key_at_frame={0: "7"},
         release_at_frame={5})
    assert keys(events) == [("7", True), ("7", False)]


def test_the_clock_runs_on_when_key_detection_starts_again() -> None:
    ch, events = channel()
    play(ch, bytes(NARROW_BAND.byte_count(1.0)))
    ch.listen_for_keys(True)  # a fresh detector, on the same media clock
    play(ch, press("9"), line_key_at_frame={0: "9"}, release_at_frame={7})
    assert keys(events) == [("9", True)]
    assert ch.key_merger.dropped == 1


@pytest.mark.parametrize("event_frame", [5, 10, 14])
def test_a_tone_cut_by_lost_frames_counts_once_with_its_event(event_frame: int) -> None:
    ch, events = channel()
    gap = bytes(NARROW_BAND.byte_count(0.06))  # three frames lost in the middle of the tone
    tone = dtmf("4", 0.1, level_dbfs=-12.0) + gap + dtmf("4", 0.1, level_dbfs=-12.0)
    play(ch, bytes(NARROW_BAND.byte_count(0.2)) + tone + bytes(NARROW_BAND.byte_count(0.3)),
         line_key_at_frame={event_frame: "4"}, release_at_frame={event_frame + 8})
    assert [d for d, _ in keys(events)] == ["4"]
    assert ch.key_merger.dropped == 2  # the event or the tone's first half, and its second
