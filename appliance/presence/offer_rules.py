"""The channel-conflict rule: what an agent may be offered, or may pull, right now."""

from __future__ import annotations

from datetime import datetime

from appliance.presence.channel import Channel
from appliance.presence.states import AgentState, Presence


def may_ring(state: AgentState, now: datetime) -> bool:
    """True when the agent may be rung for a call: available and idle (Asterisk ringinuse=no)."""
    return state.presence is Presence.AVAILABLE and state.is_idle_at(now)


def may_take(state: AgentState, channel: Channel, now: datetime) -> bool:
    """True when the agent may take work on `channel` with "next for me".

    Ringing, on a call or in wrap-up blocks every channel, so nothing lands on
    top of a conversation. Busy blocks only live voice; away and offline block all.
    """
    if not state.is_idle_at(now):
        return False
    if state.presence is Presence.AVAILABLE:
        return True
    if state.presence is Presence.BUSY:
        return not channel.is_live_voice
    return False
