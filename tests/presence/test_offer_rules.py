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


def test_busy_pulls_mail_and_sms_but_no_live_voice() -> None:
    busy = agent(Presence.BUSY)
    assert may_take(busy, Channel.EMAIL, NOW)
    assert may_take(busy, Channel.SMS, NOW)
    assert not may_take(busy, Channel.CALL, NOW)
    assert not may_take(busy, Channel.CALLBACK, NOW)
    assert not may_ring(busy, NOW)


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
