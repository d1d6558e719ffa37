"""Auto-pause: an agent who lets N offers in a row go unanswered is set away."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from appliance.presence.errors import PresenceError
from appliance.presence.states import AgentState, Presence

AUTO_PAUSE_REASON = "missed offers"


@dataclass(frozen=True, slots=True)
class MissedOffer:
    """The result of recording one missed offer."""

    state: AgentState
    paused: bool  # True when this miss paused the agent


def record_missed(state: AgentState, now: datetime, limit: int) -> MissedOffer:
    """Count one unanswered offer; at `limit` misses in a row the agent is set away.

    `limit` 0 turns auto-pause off (like Asterisk's autopause=no).
    """
    if limit < 0:
        raise PresenceError(f"missed-offer limit must be 0 or more, not {limit}")
    missed = state.missed_in_row + 1
    if limit and missed >= limit and state.presence is not Presence.AWAY:
        paused = replace(
            state,
            presence=Presence.AWAY,
            missed_in_row=0,
            pause_reason=f"{AUTO_PAUSE_REASON}: {missed} in a row",
            changed_at=now,
        )
        return MissedOffer(paused, True)
    return MissedOffer(replace(state, missed_in_row=missed), False)


def record_answered(state: AgentState) -> AgentState:
    """An answered offer resets the count of misses in a row."""
    return replace(state, missed_in_row=0)
