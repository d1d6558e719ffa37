"""What a desk button does: a press toggles available and busy, a hold goes away and back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from appliance.presence.states import Activity, AgentState, Presence
from appliance.presence.transitions import end_wrap_up, set_presence


class Gesture(StrEnum):
    """What the agent did with the button; also the payload a desk unit publishes."""

    PRESS = "press"
    HOLD = "hold"


def after_gesture(state: AgentState, gesture: Gesture, now: datetime) -> AgentState:
    """The agent's state after `gesture` at `now`."""
    if gesture is Gesture.HOLD:
        back = state.presence is Presence.AWAY
        return set_presence(state, Presence.AVAILABLE if back else Presence.AWAY, now)
    if state.activity_at(now) is Activity.WRAP_UP:
        return end_wrap_up(state, now)  # done with the notes: take the next call
    if state.presence is Presence.AVAILABLE:
        return set_presence(state, Presence.BUSY, now)
    return set_presence(state, Presence.AVAILABLE, now)
