"""The channel-conflict rule: what an agent may be offered, or may pull, right now."""

from __future__ import annotations

from datetime import datetime

from appliance.presence.channel import Channel
from appliance.presence.states import Activity, AgentState, Presence


def may_ring(state: AgentState, now: datetime) -> bool:
    """True when the agent may be rung for a call: available and idle (Asterisk ringinuse=no)."""
    return state.presence is Presence.AVAILABLE and state.is_idle_at(now)


def may_take(state: AgentState, channel: Channel, now: datetime) -> bool:
    """True when the agent may be offered or handed work on `channel` now.

    Only an available agent who is idle takes work, on any channel: ringing, on a
    call or in wrap-up nothing lands on top of a conversation, and busy, away or
    offline is the agent's own word that nothing should come now. `channel` stays
    in the rule's signature so that a channel-specific exception has one place.
    """
    del channel  # every channel follows the same rule today
    return refusal(state, now) is None


def refusal(state: AgentState, now: datetime) -> str | None:
    """Why the agent may take no work now (a presence or an activity), None when they may."""
    activity = state.activity_at(now)
    if activity is not Activity.IDLE:
        return activity.value
    if state.presence is not Presence.AVAILABLE:
        return state.presence.value
    return None
