"""The people the pages name: active agents and teams, read for lists and filters. Blocking."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from appliance.store.models import Agent, Team


def active_agents() -> list[tuple[int, str, str]]:
    """(id, name, login) of every active agent, by name."""
    query = (Agent.select(Agent.id, Agent.name, Agent.login).where(Agent.active == True)  # noqa: E712
             .order_by(Agent.name).tuples())
    return list(cast(Iterable[tuple[int, str, str]], query))


def all_teams() -> list[tuple[int, str]]:
    """(id, name) of every team, by name."""
    query = Team.select(Team.id, Team.name).order_by(Team.name).tuples()
    return list(cast(Iterable[tuple[int, str]], query))
