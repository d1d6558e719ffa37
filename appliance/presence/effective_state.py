"""An agent's effective state: what a desk LED shows and what the box publishes to the unit."""

from __future__ import annotations

from datetime import datetime

from appliance.presence.states import Activity, AgentState

# The payloads of aspa/<box>/desk/<unit>/state, one word each.
EFFECTIVE_STATES = ("available", "busy", "away", "offline", "ringing", "on_call", "wrap_up")


def effective_state(presence: str, activity: str) -> str:
    """The activity when the agent is doing something (ringing, on a call), else the presence."""
    return presence if activity == Activity.IDLE.value else activity


def state_of(agent: AgentState, now: datetime) -> str:
    """The effective state of `agent` at `now` (an expired wrap-up counts as idle)."""
    return effective_state(agent.presence.value, agent.activity_at(now).value)
