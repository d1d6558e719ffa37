"""Pure presence transitions: each takes a state and returns the next one."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from appliance.presence.errors import PresenceError
from appliance.presence.states import Activity, AgentState, Presence


def set_presence(state: AgentState, presence: Presence, now: datetime) -> AgentState:
    """The agent chose a presence; a choice by the agent clears any system pause."""
    return replace(state.settled(now), presence=presence, pause_reason=None, changed_at=now)


def start_ringing(state: AgentState, item_id: str, now: datetime) -> AgentState:
    """Aspa starts ringing the agent for `item_id`; only an idle agent may be rung."""
    activity = state.activity_at(now)
    if activity is not Activity.IDLE:
        raise PresenceError(f"agent {state.agent_id} is {activity}, cannot ring for {item_id}")
    return replace(
        state, activity=Activity.RINGING, offered_id=item_id, wrap_up_until=None, changed_at=now
    )


def stop_ringing(state: AgentState, now: datetime) -> AgentState:
    """Ringing stopped without an answer (timeout, decline, caller hung up)."""
    if state.activity is not Activity.RINGING:
        raise PresenceError(f"agent {state.agent_id} is {state.activity}, not ringing")
    return replace(state, activity=Activity.IDLE, offered_id=None, changed_at=now)


def call_started(state: AgentState, now: datetime) -> AgentState:
    """The agent answered a ringing call or dialled a callback."""
    activity = state.activity_at(now)
    if activity not in (Activity.IDLE, Activity.RINGING):
        raise PresenceError(f"agent {state.agent_id} is {activity}, cannot start a call")
    return replace(
        state,
        activity=Activity.ON_CALL,
        wrap_up_until=None,
        missed_in_row=0,
        changed_at=now,
    )


def call_ended(state: AgentState, now: datetime, wrap_up_seconds: float) -> AgentState:
    """The agent's call ended; wrap-up follows for `wrap_up_seconds` (0 = straight to idle)."""
    if state.activity is not Activity.ON_CALL:
        raise PresenceError(f"agent {state.agent_id} is {state.activity}, not on a call")
    if wrap_up_seconds < 0:
        raise PresenceError(f"wrap-up time must not be negative, not {wrap_up_seconds}")
    if wrap_up_seconds == 0:
        return replace(state, activity=Activity.IDLE, offered_id=None, changed_at=now)
    return replace(
        state,
        activity=Activity.WRAP_UP,
        wrap_up_until=now + timedelta(seconds=wrap_up_seconds),
        offered_id=None,
        changed_at=now,
    )


def end_wrap_up(state: AgentState, now: datetime) -> AgentState:
    """The agent finished wrap-up early (pressed the button)."""
    if state.activity is not Activity.WRAP_UP:
        return state.settled(now)
    return replace(state, activity=Activity.IDLE, wrap_up_until=None, changed_at=now)
