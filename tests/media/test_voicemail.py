"""Voicemail: stops on silence, at the limit, or when nothing is said; Ogg/Opus that decodes."""

from __future__ import annotations

from pathlib import Path

from appliance.media.opus_file import read_info, read_pcm, write_opus
from appliance.media.pcm import NARROW_BAND
from appliance.media.signal_level import find
from appliance.media.tones import tone
from appliance.media.voicemail_recorder import RecordingRules, StopReason, VoicemailRecorder

RULES = RecordingRules(max_seconds=10.0, silence_seconds=1.0, no_speech_seconds=2.0)


def record(pcm: bytes, rules: RecordingRules = RULES) -> VoicemailRecorder:
    recorder = VoicemailRecorder(NARROW_BAND, rules)
    for frame in NARROW_BAND.frames(pcm):
        if recorder.feed(frame) is not None:
            break
    return recorder


def test_message_ends_after_silence_and_the_silence_is_cut() -> None:
    speech = tone(400, 2.0, level_dbfs=-12.0)
    recorder = record(bytes(NARROW_BAND.byte_count(0.5)) + speech + bytes(16000 * 5))
    result = recorder.result
    assert result is not None and result.reason is StopReason.SILENCE and result.spoke
    assert 2.4 <= result.seconds <= 3.0  # the lead-in, the words and a short breath


def test_message_stops_at_the_maximum_length() -> None:
    result = record(tone(400, 20.0)).result
    assert result is not None and result.reason is StopReason.MAX_LENGTH
    assert abs(result.seconds - 10.0) < 0.05


def test_a_caller_who_says_nothing_leaves_no_message() -> None:
    result = record(bytes(16000 * 5)).result
    assert result is not None and result.reason is StopReason.NO_SPEECH and result.pcm == b""


def test_hanging_up_keeps_what_was_said() -> None:
    recorder = VoicemailRecorder(NARROW_BAND, RULES)
    for frame in NARROW_BAND.frames(tone(400, 1.0)):
        recorder.feed(frame)
    result = recorder.stop()
    assert result.reason is StopReason.HANG_UP and 1.0 <= result.seconds <= 1.35


def test_recording_is_encoded_to_ogg_opus_and_decodes_with_its_duration(tmp_path: Path) -> None:
    message = tone(350, 1.5, level_dbfs=-12.0) + tone(700, 1.5, level_dbfs=-12.0)
    encoded = write_opus(message, NARROW_BAND, tmp_path / "vm" / "1.ogg")
    assert encoded.path.read_bytes()[:4] == b"OggS"
    assert b"OpusHead" in encoded.path.read_bytes()[:200]
    assert abs(encoded.seconds - 3.0) < 0.03 and encoded.rate_hz == 8000
    assert encoded.size_bytes < len(message) / 5  # compact: far below the raw 16 KB/s
    decoded, rate = read_pcm(encoded.path)
    assert rate == 8000
    assert find(tone(700, 0.5, level_dbfs=-12.0), decoded).correlation > 0.9
    assert read_info(encoded.path).seconds == encoded.seconds
