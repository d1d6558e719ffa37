"""The agents the switchboard knows: active logins, their ids and their teams. Blocking reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from appliance.store.models import Agent, AgentTeam


@dataclass(frozen=True, slots=True)
class Roster:
    """Active agents by id: their login and the teams whose unassigned work they may take."""

    logins: dict[int, str] = field(default_factory=dict)
    teams: dict[int, frozenset[int]] = field(default_factory=dict)

    def agent_id(self, login: str) -> int | None:
        """The id of the active agent with this login."""
        for agent_id, known in self.logins.items():
            if known == login:
                return agent_id
        return None


def read_roster() -> Roster:
    """Every active agent with their teams. Runs in the store thread."""
    rows = Agent.select(Agent.id, Agent.login).where(Agent.active == True).tuples()  # noqa: E712
    logins = {int(agent_id): str(login)
              for agent_id, login in cast(Iterable[tuple[int, str]], rows)}
    teams: dict[int, set[int]] = {agent_id: set() for agent_id in logins}
    links = AgentTeam.select(AgentTeam.agent, AgentTeam.team).tuples()
    for agent_id, team_id in cast(Iterable[tuple[int, int]], links):
        if agent_id in teams:
            teams[agent_id].add(team_id)
    return Roster(logins, {agent_id: frozenset(ids) for agent_id, ids in teams.items()})
