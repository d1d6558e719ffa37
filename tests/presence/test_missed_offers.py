"""Auto-pause after N missed offers in a row."""

from datetime import UTC, datetime

import pytest

from appliance.presence import (
    AgentState,
    Presence,
    PresenceError,
    record_answered,
    record_missed,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_third_miss_in_a_row_pauses_the_agent() -> None:
    state = AgentState(1, Presence.AVAILABLE)
    first = record_missed(state, NOW, limit=3)
    second = record_missed(first.state, NOW, limit=3)
    assert not first.paused and not second.paused
    assert second.state.missed_in_row == 2
    third = record_missed(second.state, NOW, limit=3)
    assert third.paused
    assert third.state.presence is Presence.AWAY
    assert third.state.pause_reason == "missed offers: 3 in a row"
    assert third.state.missed_in_row == 0


def test_an_answer_in_between_resets_the_count() -> None:
    state = AgentState(1, Presence.AVAILABLE)
    state = record_missed(record_missed(state, NOW, 3).state, NOW, 3).state
    state = record_answered(state)
    outcome = record_missed(state, NOW, 3)
    assert not outcome.paused and outcome.state.missed_in_row == 1


def test_limit_zero_never_pauses() -> None:
    state = AgentState(1, Presence.AVAILABLE)
    for _ in range(10):
        outcome = record_missed(state, NOW, limit=0)
        assert not outcome.paused
        state = outcome.state
    assert state.presence is Presence.AVAILABLE and state.missed_in_row == 10


def test_negative_limit_is_refused() -> None:
    with pytest.raises(PresenceError, match="limit"):
        record_missed(AgentState(1), NOW, limit=-1)
