"""Presence transitions: ringing, calls, wrap-up and the agent's own choice."""

from datetime import UTC, datetime, timedelta

import pytest

from appliance.presence import (
    Activity,
    AgentState,
    Presence,
    PresenceError,
    call_ended,
    call_started,
    end_wrap_up,
    set_presence,
    start_ringing,
    stop_ringing,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def available(agent_id: int = 1) -> AgentState:
    return set_presence(AgentState(agent_id), Presence.AVAILABLE, NOW)


def test_new_agent_starts_offline_and_idle() -> None:
    state = AgentState(7)
    assert (state.presence, state.activity) == (Presence.OFFLINE, Activity.IDLE)


def test_ring_answer_end_gives_wrap_up_that_expires() -> None:
    state = start_ringing(available(), "call-1", NOW)
    assert state.activity is Activity.RINGING and state.offered_id == "call-1"
    state = call_started(state, NOW + timedelta(seconds=5))
    assert state.activity is Activity.ON_CALL
    state = call_ended(state, NOW + timedelta(minutes=3), wrap_up_seconds=30)
    assert state.activity is Activity.WRAP_UP
    assert state.wrap_up_until == NOW + timedelta(minutes=3, seconds=30)
    assert state.activity_at(NOW + timedelta(minutes=3, seconds=29)) is Activity.WRAP_UP
    assert state.activity_at(NOW + timedelta(minutes=3, seconds=30)) is Activity.IDLE
    assert state.settled(NOW + timedelta(minutes=4)).activity is Activity.IDLE


def test_zero_wrap_up_goes_straight_to_idle() -> None:
    state = call_started(available(), NOW)
    assert call_ended(state, NOW, wrap_up_seconds=0).activity is Activity.IDLE


def test_stop_ringing_returns_to_idle() -> None:
    state = stop_ringing(start_ringing(available(), "call-1", NOW), NOW)
    assert state.activity is Activity.IDLE and state.offered_id is None


def test_an_agent_being_rung_cannot_be_rung_again() -> None:
    ringing = start_ringing(available(), "call-1", NOW)
    with pytest.raises(PresenceError, match="ringing"):
        start_ringing(ringing, "call-2", NOW)


def test_an_agent_on_a_call_or_in_wrap_up_cannot_be_rung() -> None:
    on_call = call_started(available(), NOW)
    with pytest.raises(PresenceError):
        start_ringing(on_call, "call-2", NOW)
    wrap_up = call_ended(on_call, NOW, wrap_up_seconds=60)
    with pytest.raises(PresenceError):
        start_ringing(wrap_up, "call-2", NOW + timedelta(seconds=59))
    rung = start_ringing(wrap_up, "call-2", NOW + timedelta(seconds=60))
    assert rung.activity is Activity.RINGING


def test_impossible_steps_are_refused() -> None:
    with pytest.raises(PresenceError):
        call_ended(available(), NOW, 10)
    with pytest.raises(PresenceError):
        stop_ringing(available(), NOW)
    with pytest.raises(PresenceError):
        call_ended(call_started(available(), NOW), NOW, -1)


def test_end_wrap_up_early() -> None:
    state = call_ended(call_started(available(), NOW), NOW, 120)
    assert end_wrap_up(state, NOW + timedelta(seconds=10)).activity is Activity.IDLE


def test_choosing_a_presence_keeps_the_activity_and_clears_a_pause() -> None:
    on_call = call_started(available(), NOW)
    busy = set_presence(on_call, Presence.BUSY, NOW)
    assert (busy.presence, busy.activity) == (Presence.BUSY, Activity.ON_CALL)
    paused = AgentState(1, Presence.AWAY, pause_reason="missed offers: 3 in a row")
    assert set_presence(paused, Presence.AVAILABLE, NOW).pause_reason is None
