"""The channel-conflict rule: who may be rung, who may pull what."""

from datetime import UTC, datetime, timedelta

import pytest

from appliance.presence import (
    AgentState,
    Channel,
    Presence,
    call_ended,
    call_started,
    may_ring,
    may_take,
    refusal,
    set_presence,
    start_ringing,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def agent(presence: Presence) -> AgentState:
    return set_presence(AgentState(1), presence, NOW)


@pytest.mark.parametrize("channel", list(Channel))
def test_available_idle_agent_may_take_everything(channel: Channel) -> None:
    assert may_take(agent(Presence.AVAILABLE), channel, NOW)


@pytest.mark.parametrize("channel", list(Channel))
def test_ringing_on_call_or_wrap_up_blocks_every_channel(channel: Channel) -> None:
    ringing = start_ringing(agent(Presence.AVAILABLE), "call-1", NOW)
    on_call = call_started(agent(Presence.AVAILABLE), NOW)
    wrap_up = call_ended(on_call, NOW, 30)
    for state in (ringing, on_call, wrap_up):
        assert not may_take(state, channel, NOW + timedelta(seconds=1))
    assert may_take(wrap_up, channel, NOW + timedelta(seconds=30))


def test_busy_is_handed_nothing_on_any_channel() -> None:
    busy = agent(Presence.BUSY)
    assert not any(may_take(busy, channel, NOW) for channel in Channel)
    assert not may_ring(busy, NOW)
    assert refusal(busy, NOW) == "busy"


def test_the_refusal_names_the_activity_before_the_presence() -> None:
    ringing = start_ringing(agent(Presence.BUSY), "call:1", NOW)
    assert refusal(ringing, NOW) == "ringing"
    assert refusal(call_started(agent(Presence.AVAILABLE), NOW), NOW) == "on_call"
    assert refusal(agent(Presence.AVAILABLE), NOW) is None


@pytest.mark.parametrize("presence", [Presence.AWAY, Presence.OFFLINE])
def test_away_and_offline_are_offered_nothing(presence: Presence) -> None:
    state = agent(presence)
    assert not may_ring(state, NOW)
    assert not any(may_take(state, channel, NOW) for channel in Channel)


def test_only_available_idle_agents_are_rung() -> None:
    assert may_ring(agent(Presence.AVAILABLE), NOW)
    on_call = call_started(agent(Presence.AVAILABLE), NOW)
    assert not may_ring(on_call, NOW)
    assert not may_ring(start_ringing(agent(Presence.AVAILABLE), "c", NOW), NOW)
