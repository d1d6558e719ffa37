"""Agents' notice choices and how to reach them. Blocking; run in the store thread."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import cast

from appliance.store.errors import InvalidInput
from appliance.store.models import Agent, AgentNoticeSettings, AgentTeam, database_proxy

KINDS = ("assigned", "mention", "sla_warning", "sla_breach", "reminder")
WAYS = ("page", "email", "sms", "led")
_IN_BATCH = 500  # ids in one IN (...): well inside SQLite's bound parameters


@dataclass(frozen=True, slots=True)
class AgentContact:
    """Who an agent is and where notices reach them."""

    agent_id: int
    login: str
    name: str
    phone: str = ""
    email: str = ""
    language: str | None = None


@dataclass(frozen=True, slots=True)
class StoredChoices:
    """An agent's stored choices: way per kind, mail address, quiet hours ("HH:MM" or None)."""

    ways: Mapping[str, str] = field(default_factory=dict)
    email: str = ""
    quiet_start: str | None = None
    quiet_end: str | None = None


def read_choices(agent_id: int) -> StoredChoices:
    """The agent's choices; defaults (page only, quiet while the office is closed) if unset."""
    return _stored(AgentNoticeSettings.get_or_none(AgentNoticeSettings.agent == agent_id))


def _stored(row: AgentNoticeSettings | None) -> StoredChoices:
    if row is None:
        return StoredChoices()
    ways = {k: v for k, v in dict(row.ways or {}).items() if k in KINDS and v in WAYS}
    return StoredChoices(ways, str(row.email), row.quiet_start, row.quiet_end)


def save_choices(agent_id: int, choices: StoredChoices) -> None:
    """Store the agent's choices (checked by the caller; kinds and ways checked again here)."""
    for kind, way in choices.ways.items():
        if kind not in KINDS or way not in WAYS:
            raise InvalidInput(f"unknown notice choice {kind}={way}")
    with database_proxy.atomic():
        row = AgentNoticeSettings.get_or_none(AgentNoticeSettings.agent == agent_id)
        if row is None:
            row = AgentNoticeSettings(agent=agent_id)
        row.ways = dict(choices.ways)
        row.email = choices.email
        row.quiet_start = choices.quiet_start
        row.quiet_end = choices.quiet_end
        row.save()


def contact(agent_id: int) -> AgentContact | None:
    """An active agent's contact, None when there is none."""
    agent = Agent.get_or_none((Agent.id == agent_id) & (Agent.active == True))  # noqa: E712
    if agent is None:
        return None
    settings = AgentNoticeSettings.get_or_none(AgentNoticeSettings.agent == agent_id)
    return AgentContact(int(agent.id), str(agent.login), str(agent.name), agent.phone or "",
                        str(settings.email) if settings is not None else "", agent.language)


def reach_of(agent_ids: Iterable[int]) -> dict[int, tuple[AgentContact, StoredChoices]]:
    """Each active agent's contact and choices, by id, read in two queries (for a batch of
    notices; an inactive or unknown agent is left out), as `contact` and `read_choices`."""
    wanted = sorted(set(agent_ids))
    found: dict[int, tuple[AgentContact, StoredChoices]] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        part = wanted[start:start + _IN_BATCH]
        settings = {int(row.agent_id): row for row in AgentNoticeSettings.select().where(
            AgentNoticeSettings.agent.in_(part))}
        for agent in Agent.select().where(Agent.id.in_(part)
                                          & (Agent.active == True)):  # noqa: E712
            row = settings.get(int(agent.id))
            found[int(agent.id)] = (
                AgentContact(int(agent.id), str(agent.login), str(agent.name), agent.phone or "",
                             str(row.email) if row is not None else "", agent.language),
                _stored(row))
    return found


def active_agents() -> dict[int, tuple[str, str]]:
    """Every active agent's (login, name), by id: for finding @mentions."""
    rows = Agent.select(Agent.id, Agent.login, Agent.name).where(
        Agent.active == True).tuples()  # noqa: E712
    return {int(i): (str(login), str(name))
            for i, login, name in cast(Iterable[tuple[int, str, str]], rows)}


def team_members(team_id: int | None) -> list[int]:
    """The active agents of a team; every active agent for work of no team."""
    query = Agent.select(Agent.id).where(Agent.active == True)  # noqa: E712
    if team_id is not None:
        query = query.join(AgentTeam, on=(AgentTeam.agent == Agent.id)).where(
            AgentTeam.team == team_id)
    return sorted(int(agent_id) for (agent_id,) in cast(Iterable[tuple[int]], query.tuples()))
