"""Keep the store's agents in step with aspa.toml's `[[agents]]` list.

Listed agents are added (without a password: they cannot log in until
`aspa user add` sets one) or updated to match: name, role, phone, SIP URI,
teams. Agents the file does not list are left alone, since logins may also
be made with `aspa user add` alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import peewee as pw

from appliance.store.models import Agent, AgentTeam, Team

if TYPE_CHECKING:
    from appliance.config.sections.agents import AgentSettings


@dataclass(frozen=True)
class RosterChanges:
    """What a sync did, by login."""

    added: tuple[str, ...]
    updated: tuple[str, ...]


def sync_agents(db: pw.Database, listed: Sequence[AgentSettings]) -> RosterChanges:
    """Add or update every listed agent in one transaction."""
    added: list[str] = []
    updated: list[str] = []
    with db.atomic():
        for entry in listed:
            agent = Agent.get_or_none(Agent.login == entry.login)
            if agent is None:
                agent = Agent.create(login=entry.login, name=entry.name, role=entry.role,
                                     phone=entry.phone or None, sip_uri=entry.sip_uri or None,
                                     password_hash=None, active=True)
                added.append(entry.login)
            elif _apply(agent, entry):
                updated.append(entry.login)
            if _set_teams(agent.id, entry.teams) and entry.login not in added + updated:
                updated.append(entry.login)
    return RosterChanges(tuple(added), tuple(updated))


def _apply(agent: Agent, entry: AgentSettings) -> bool:
    wanted = {"name": entry.name, "role": entry.role, "phone": entry.phone or None,
              "sip_uri": entry.sip_uri or None, "active": True}
    changed = [key for key, value in wanted.items() if getattr(agent, key) != value]
    for key in changed:
        setattr(agent, key, wanted[key])
    if changed:
        agent.save(only=[getattr(Agent, key) for key in changed])
    return bool(changed)


def _set_teams(agent_id: int, names: Sequence[str]) -> bool:
    """Make the agent's teams exactly `names`; True if anything changed."""
    links = AgentTeam.select(AgentTeam, Team).join(Team).where(AgentTeam.agent == agent_id)
    current: dict[str, int] = {link.team.name: link.id for link in links}
    wanted = set(names)
    for name in wanted - set(current):
        team, _ = Team.get_or_create(name=name)
        AgentTeam.create(agent=agent_id, team=team.id)
    stale = [current[name] for name in set(current) - wanted]
    if stale:
        AgentTeam.delete().where(AgentTeam.id.in_(stale)).execute()
    return bool(stale) or bool(wanted - set(current))
