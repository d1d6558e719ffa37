"""The player: announcements in turn, music between them, resuming where it paused."""

from __future__ import annotations

import pytest

from appliance.media.pcm import NARROW_BAND
from appliance.media.player import MAX_QUEUED, Clip, Player, QueueFull
from appliance.media.tones import tone

FRAME = NARROW_BAND.frame_bytes


def play(player: Player, frames: int) -> tuple[bytes, list[str]]:
    out, ended = bytearray(), []
    for _ in range(frames):
        frame, finished = player.next_frame()
        assert len(frame) == FRAME
        out += frame
        if finished:
            ended.append(finished)
    return bytes(out), ended


def test_silence_without_anything_to_play() -> None:
    out, ended = play(Player(NARROW_BAND), 5)
    assert out == bytes(5 * FRAME) and ended == []


def test_announcements_play_in_turn_and_report_their_end() -> None:
    player = Player(NARROW_BAND)
    first, second = tone(440, 0.1), tone(660, 0.05)
    player.announce(Clip("first", first))
    player.announce(Clip("second", second))
    out, ended = play(player, 10)
    assert ended == ["first", "second"]
    assert out[:len(first)] == first and out[len(first):len(first) + len(second)] == second
    assert out[len(first) + len(second):] == bytes(len(out) - len(first) - len(second))


def test_music_pauses_for_an_announcement_and_resumes_where_it_was() -> None:
    music = tone(300, 0.2)
    player = Player(NARROW_BAND)
    player.start_music(music)
    before, _ = play(player, 3)
    player.announce(Clip("news", tone(1000, 0.04)))
    announced, ended = play(player, 2)
    assert announced == tone(1000, 0.04)
    after, _ = play(player, 7)
    assert ended == ["news"] and before == music[:3 * FRAME]
    assert after == music[3 * FRAME:] + music[:0]  # resumed, then looped to the start
    again, _ = play(player, 1)
    assert again == music[:FRAME]


def test_music_under_an_announcement_when_asked() -> None:
    player = Player(NARROW_BAND, music_under_db=-12.0)
    player.start_music(tone(300, 1.0))
    voice = tone(1000, 0.02)
    player.announce(Clip("v", voice))
    frame, _ = player.next_frame()
    assert frame != voice and frame != bytes(FRAME)


def test_cancel_drops_what_was_queued() -> None:
    player = Player(NARROW_BAND)
    player.announce(Clip("a", tone(440, 1.0)))
    player.announce(Clip("b", tone(440, 1.0)))
    play(player, 2)
    assert player.cancel_announcements() == ["a", "b"]
    assert not player.is_announcing


def test_a_runaway_queue_is_refused() -> None:
    player = Player(NARROW_BAND)
    for i in range(MAX_QUEUED):
        player.announce(Clip(str(i), b"\0\0"))
    with pytest.raises(QueueFull):
        player.announce(Clip("one too many", b"\0\0"))
