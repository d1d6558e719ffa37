"""A voice port that stalls or talks text is noticed, on an injected clock."""

from __future__ import annotations

from appliance.media.port_health import HealthRules, PortHealth, looks_like_text


def test_text_is_told_from_audio() -> None:
    assert looks_like_text(b"RDY\r\n+CPIN: READY\r\n" * 16)
    assert not looks_like_text(bytes(320))
    assert not looks_like_text(bytes(range(256)) + bytes(64))


def test_a_port_without_frames_is_stalled_after_the_limit() -> None:
    now = [100.0]
    health = PortHealth(lambda: now[0], HealthRules(stall_seconds=2.0))
    now[0] = 101.9
    assert health.nothing() is None
    now[0] = 102.0
    assert "no audio for 2.0 s" in (health.nothing() or "")


def test_a_frame_resets_the_stall_clock() -> None:
    now = [0.0]
    health = PortHealth(lambda: now[0], HealthRules(stall_seconds=1.0))
    now[0] = 0.9
    assert health.frame(bytes(320)) is None
    now[0] = 1.5
    assert health.nothing() is None


def test_a_run_of_text_frames_is_garbage() -> None:
    health = PortHealth(lambda: 0.0, HealthRules(garbage_frames=3))
    text = b"AT+CSQ\r\n" * 40
    assert health.frame(text) is None
    assert health.frame(bytes(320)) is None  # a real frame between: the run starts again
    assert health.frame(text) is None and health.frame(text) is None
    assert "text" in (health.frame(text) or "")
