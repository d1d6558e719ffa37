"""Routing one waiting call through a ring group, as a small pure state machine.

The daemon keeps a CallRouting per waiting call and calls `decide` when the
call arrives, when a Ring's timeout or a Wait's time is up, and whenever an
agent's state changes. Each step returns the new routing state, the next
decision, the (possibly updated) ring history, the agents whose phones must
stop ringing and, of those, who missed the offer. The daemon applies it:
stop and start ringing (presence.stop_ringing / start_ringing), count misses
(presence.record_missed), or overflow the call. When an agent answers, the
routing is simply dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from appliance.presence.offer_rules import may_ring
from appliance.presence.states import Activity, AgentState, Presence
from appliance.presence.transitions import stop_ringing
from appliance.queue.ring_group import RingGroup
from appliance.queue.ring_strategies import RingHistory, RingStrategy, member_order
from appliance.queue.routing_decisions import (
    OVERFLOW_MAX_WAIT,
    OVERFLOW_NOBODY,
    Decision,
    Overflow,
    Ring,
    Wait,
)


@dataclass(frozen=True, slots=True)
class CallRouting:
    """Where one call's routing stands."""

    call_id: str
    group: RingGroup
    arrived_at: datetime
    account_manager_id: int | None = None  # a known VIP's manager, tried first
    manager_tried: bool = False
    tried: frozenset[int] = frozenset()  # members rung in this round
    ringing: tuple[int, ...] = ()
    ringing_until: datetime | None = None
    retry_until: datetime | None = None
    rounds: int = 0  # rounds completed without an answer

    @property
    def deadline(self) -> datetime:
        """When the caller has waited the group's maximum and overflows."""
        return self.arrived_at + timedelta(seconds=self.group.max_wait_s)


@dataclass(frozen=True, slots=True)
class RoutingStep:
    """The result of one decision."""

    routing: CallRouting
    decision: Decision
    history: RingHistory
    stop_ringing: tuple[int, ...] = ()  # agents whose phones must stop ringing now
    missed: tuple[int, ...] = ()  # of those, who let their whole ring time pass (auto-pause)


def start_routing(
    call_id: str, group: RingGroup, arrived_at: datetime, account_manager_id: int | None = None
) -> CallRouting:
    """Routing state for a call that just arrived for `group`."""
    return CallRouting(call_id, group, arrived_at, account_manager_id)


def no_answer(routing: CallRouting, agent_id: int) -> CallRouting:
    """`agent_id` declined or stopped ringing; when nobody is left ringing, routing moves on."""
    ringing = tuple(a for a in routing.ringing if a != agent_id)
    until = routing.ringing_until if ringing else None
    return replace(routing, ringing=ringing, ringing_until=until)


def ring_again(routing: CallRouting, agent_ids: tuple[int, ...], now: datetime) -> CallRouting:
    """The same phones ring anew, for their ring time (dialled again, on another line)."""
    timeout = min(routing.group.timeout_for(a) for a in agent_ids)
    left = (routing.deadline - now).total_seconds()
    until = now + timedelta(seconds=max(min(timeout, left), 0.0))
    return replace(routing, ringing=agent_ids, ringing_until=until)


def _ring(
    routing: CallRouting,
    agent_ids: tuple[int, ...],
    timeout_s: float,
    history: RingHistory,
    now: datetime,
    *,
    manager: bool = False,
) -> RoutingStep:
    """Ring `agent_ids`, for no longer than the caller may still wait."""
    left = (routing.deadline - now).total_seconds()
    timeout = min(timeout_s, left)
    ringing = replace(
        routing,
        tried=routing.tried | frozenset(agent_ids),
        ringing=agent_ids,
        ringing_until=now + timedelta(seconds=timeout),
        manager_tried=routing.manager_tried or manager,
    )
    if routing.group.strategy is RingStrategy.RRMEMORY and agent_ids[-1] in routing.group.members:
        history = history.with_rung(routing.group.name, agent_ids[-1])
    return RoutingStep(ringing, Ring(agent_ids, timeout), history)


def _candidates(
    routing: CallRouting, agents: Mapping[int, AgentState], history: RingHistory, now: datetime
) -> tuple[int, ...]:
    group = routing.group
    order = member_order(group.strategy, group.name, group.members, history)
    return tuple(
        a for a in order if a not in routing.tried and a in agents and may_ring(agents[a], now)
    )


def _next_chance(routing: CallRouting, agents: Mapping[int, AgentState], now: datetime) -> datetime:
    """The earliest a member can become eligible without an event: a wrap-up ending."""
    until = routing.deadline
    for member in routing.group.members:
        state = agents.get(member)
        if (
            state is not None
            and state.presence is Presence.AVAILABLE
            and state.activity_at(now) is Activity.WRAP_UP
            and state.wrap_up_until is not None
        ):
            until = min(until, state.wrap_up_until)
    return until


def decide(
    routing: CallRouting, agents: Mapping[int, AgentState], history: RingHistory, now: datetime
) -> RoutingStep:
    """The next step for the call at `now`, given every agent's state."""
    group = routing.group
    if now >= routing.deadline:
        done = replace(routing, ringing=(), ringing_until=None)
        overflow = Overflow(group.overflow, OVERFLOW_MAX_WAIT)
        return RoutingStep(done, overflow, history, stop_ringing=routing.ringing)
    if routing.ringing_until is not None and now < routing.ringing_until:
        return RoutingStep(routing, Wait(routing.ringing_until), history)
    if not routing.ringing:
        if routing.ringing_until is not None:
            routing = replace(routing, ringing_until=None)
        return _next_attempt(routing, agents, history, now)
    # The ring time is up: those phones stop in this very step, so judge them as idle.
    stopped = dict(agents)
    for agent_id in routing.ringing:
        state = agents.get(agent_id)
        if state is not None and state.activity is Activity.RINGING:
            stopped[agent_id] = stop_ringing(state, now)
    step = _next_attempt(replace(routing, ringing=(), ringing_until=None), stopped, history, now)
    return replace(step, stop_ringing=routing.ringing, missed=routing.ringing)


def _next_attempt(
    routing: CallRouting, agents: Mapping[int, AgentState], history: RingHistory, now: datetime
) -> RoutingStep:
    """The decision once nobody is ringing: manager, strategy, new round, wait or overflow."""
    group = routing.group
    if routing.retry_until is not None:
        if now < routing.retry_until:
            return RoutingStep(routing, Wait(routing.retry_until), history)
        routing = replace(routing, retry_until=None)

    manager = routing.account_manager_id
    if manager is not None and not routing.manager_tried:
        state = agents.get(manager)
        if state is not None and may_ring(state, now):
            timeout = group.timeout_for(manager)
            return _ring(routing, (manager,), timeout, history, now, manager=True)
        routing = replace(routing, manager_tried=True)

    candidates = _candidates(routing, agents, history, now)
    if not candidates and routing.tried:
        # Everyone eligible was tried: a new round, after the retry pause.
        routing = replace(routing, tried=frozenset(), rounds=routing.rounds + 1)
        if group.retry_s > 0:
            until = min(now + timedelta(seconds=group.retry_s), routing.deadline)
            return RoutingStep(replace(routing, retry_until=until), Wait(until), history)
        candidates = _candidates(routing, agents, history, now)
    if candidates:
        if group.strategy.rings_all:
            return _ring(routing, candidates, group.ring_timeout_s, history, now)
        first = candidates[0]
        return _ring(routing, (first,), group.timeout_for(first), history, now)

    anyone_available = any(
        agents[m].presence is Presence.AVAILABLE for m in group.members if m in agents
    )
    if group.overflow_when_empty and not anyone_available:
        return RoutingStep(routing, Overflow(group.overflow, OVERFLOW_NOBODY), history)
    return RoutingStep(routing, Wait(_next_chance(routing, agents, now)), history)
