"""Apply the call flow's presence commands to agents' states (the same rules everywhere)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from appliance.presence.missed_offers import record_missed
from appliance.presence.offer_rules import may_ring
from appliance.presence.states import Activity, AgentState
from appliance.presence.transitions import call_ended, call_started, start_ringing, stop_ringing
from appliance.queue.call_commands import AgentFree, AgentOnCall, Command, RingAgents, StopRinging


@dataclass(frozen=True, slots=True)
class PresenceUpdate:
    """The agents whose state changed, and those this change auto-paused."""

    changed: Mapping[int, AgentState]
    paused: tuple[int, ...] = ()


def apply_presence(
    agents: Mapping[int, AgentState],
    command: Command,
    call_id: str,
    now: datetime,
    missed_limit: int,
) -> PresenceUpdate:
    """The new states after one presence command; other commands change nothing.

    A transition that no longer fits (the agent changed state meanwhile, e.g.
    pressed "away" while ringing) is skipped rather than raised: presence is
    the agent's word, the call flow only follows it.
    """
    changed: dict[int, AgentState] = {}
    paused: list[int] = []
    if isinstance(command, RingAgents):
        for agent_id in command.agent_ids:
            state = agents.get(agent_id)
            if state is not None and may_ring(state, now):
                changed[agent_id] = start_ringing(state, f"call:{call_id}", now)
    elif isinstance(command, StopRinging):
        for agent_id in command.agent_ids:
            state = agents.get(agent_id)
            if state is None:
                continue
            if state.activity is Activity.RINGING:
                state = stop_ringing(state, now)
            if agent_id in command.missed:
                missed = record_missed(state, now, missed_limit)
                state = missed.state
                if missed.paused:
                    paused.append(agent_id)
            changed[agent_id] = state
    elif isinstance(command, AgentOnCall):
        state = agents.get(command.agent_id)
        if state is not None and state.activity_at(now) in (Activity.IDLE, Activity.RINGING):
            changed[command.agent_id] = call_started(state, now)
    elif isinstance(command, AgentFree):
        state = agents.get(command.agent_id)
        if state is not None and state.activity is Activity.ON_CALL:
            changed[command.agent_id] = call_ended(state, now, command.wrap_up_s)
    return PresenceUpdate(changed, tuple(paused))
