"""Per-agent figures over a period: work handled, first response and resolution medians. Blocking.

Handled: tickets the agent resolved (assigned to them when resolved) and calls they answered.
A first response is the agent's who wrote the ticket's first reply; a resolution time is
counted for the agent the ticket is assigned to, from its opening to its resolution.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from appliance.store.models import Agent, Call, Message, Ticket


@dataclass(frozen=True, slots=True)
class AgentFigures:
    """One agent's figures in a period; medians in seconds, None without a sample."""

    agent_id: int
    name: str
    tickets_resolved: int
    calls_answered: int
    first_response_median_s: float | None
    resolution_median_s: float | None

    @property
    def handled(self) -> int:
        return self.tickets_resolved + self.calls_answered

    def json(self) -> dict[str, Any]:
        return {"agent_id": self.agent_id, "agent": self.name, "handled": self.handled,
                "tickets_resolved": self.tickets_resolved, "calls_answered": self.calls_answered,
                "first_response_median_s": self.first_response_median_s,
                "resolution_median_s": self.resolution_median_s}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def agent_figures(start: datetime, end: datetime) -> list[AgentFigures]:
    """Every agent with something in [start, end), most handled first."""
    resolved: dict[int, list[float]] = defaultdict(list)
    rows = (Ticket.select(Ticket.assignee, Ticket.created_at, Ticket.resolved_at)
            .where(Ticket.assignee.is_null(False) & (Ticket.resolved_at >= start)
                   & (Ticket.resolved_at < end)).tuples())
    for agent_id, created, done in cast(Iterable[tuple[int, datetime, datetime]], rows):
        created = Ticket.created_at.python_value(created)
        done = Ticket.resolved_at.python_value(done)
        resolved[agent_id].append(max(0.0, (done - created).total_seconds()))
    answered: dict[int, int] = defaultdict(int)
    calls = (Call.select(Call.agent).where(Call.agent.is_null(False) & (Call.answered_at >= start)
                                           & (Call.answered_at < end)).tuples())
    for (agent_id,) in cast(Iterable[tuple[int]], calls):
        answered[agent_id] += 1
    first = _first_responses(start, end)
    names = dict(cast(Iterable[tuple[int, str]], Agent.select(Agent.id, Agent.name).tuples()))
    ids = {*resolved, *answered, *first}
    figures = [AgentFigures(agent_id=i, name=names.get(i, ""), tickets_resolved=len(resolved[i]),
                            calls_answered=answered[i], first_response_median_s=_median(first[i]),
                            resolution_median_s=_median(resolved[i])) for i in ids]
    figures.sort(key=lambda f: (-f.handled, f.name, f.agent_id))
    return figures


def _first_responses(start: datetime, end: datetime) -> dict[int, list[float]]:
    """Per agent, the first-response times of the tickets first answered in the period."""
    tickets = dict(cast(Iterable[tuple[int, Any]], (
        Ticket.select(Ticket.id, Ticket.created_at)
        .where((Ticket.first_responded_at >= start) & (Ticket.first_responded_at < end))
        .tuples())))
    found: dict[int, list[float]] = defaultdict(list)
    if not tickets:
        return found
    seen: set[int] = set()
    replies = (Message.select(Message.ticket, Message.author, Message.created_at)
               .where(Message.ticket.in_(list(tickets)) & (Message.direction == "out")
                      & Message.author.is_null(False))
               .order_by(Message.created_at, Message.id).tuples())
    for ticket_id, author_id, at in cast(Iterable[tuple[int, int, Any]], replies):
        if ticket_id in seen:
            continue
        seen.add(ticket_id)
        created = Ticket.created_at.python_value(tickets[ticket_id])
        replied = Message.created_at.python_value(at)
        found[author_id].append(max(0.0, (replied - created).total_seconds()))
    return found
