"""An agent's presence (chosen by the agent) and activity (derived from calls)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class Presence(StrEnum):
    """What the agent says about themself, with a button press or a click."""

    AVAILABLE = "available"
    BUSY = "busy"  # at the desk but occupied: nothing is offered or handed over
    AWAY = "away"
    OFFLINE = "offline"


class Activity(StrEnum):
    """What the agent is doing, as the phone side sees it."""

    IDLE = "idle"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"


@dataclass(frozen=True, slots=True)
class AgentState:
    """One agent's presence and activity at a moment; changed only by the transitions."""

    agent_id: int
    presence: Presence = Presence.OFFLINE
    activity: Activity = Activity.IDLE
    wrap_up_until: datetime | None = None  # set while in wrap-up
    offered_id: str | None = None  # the work item (call) ringing this agent
    missed_in_row: int = 0  # offers not answered since the last answered one
    pause_reason: str | None = None  # why the system set the agent away, if it did
    changed_at: datetime | None = None

    def activity_at(self, now: datetime) -> Activity:
        """The activity at `now`: wrap-up ends by itself when its time is up."""
        if self.activity is Activity.WRAP_UP and (
            self.wrap_up_until is None or now >= self.wrap_up_until
        ):
            return Activity.IDLE
        return self.activity

    def is_idle_at(self, now: datetime) -> bool:
        """True when not ringing, not on a call and not in wrap-up at `now`."""
        return self.activity_at(now) is Activity.IDLE

    def settled(self, now: datetime) -> AgentState:
        """The same state with an expired wrap-up turned into idle."""
        if self.activity is Activity.WRAP_UP and self.activity_at(now) is Activity.IDLE:
            return replace(self, activity=Activity.IDLE, wrap_up_until=None, changed_at=now)
        return self
