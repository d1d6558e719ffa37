"""User accounts (agents and admins): creation, passwords, teams.

Changing a password moves `password_changed_at`; the web ends every session
begun before it (a session must not survive a password change, cf. Chatwoot
CVE-2021-3740). Blocking calls: run them through `StoreWorker` on the loop.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable
from typing import cast

import peewee as pw

from appliance.spine.clock import Clock
from appliance.store.contact_normalising import normalise_phone
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, AgentTeam, Team
from appliance.store.passwords import ScryptCost, hash_password, needs_rehash, verify_password

ROLES = ("agent", "admin")
LOGIN_MAX_CHARS = 100


@functools.cache
def _decoy_hash(cost: ScryptCost) -> str:
    # Verified when the login is unknown, so a wrong login takes as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16), cost)


class Accounts:
    """Add users, check and change their passwords, put them in teams."""

    def __init__(
        self,
        db: pw.Database,
        clock: Clock,
        *,
        cost: ScryptCost | None = None,
        country_code: str | int | None = "358",
    ) -> None:
        self.db = db
        self.clock = clock
        self.cost = cost or ScryptCost()
        self.country_code = None if country_code is None else str(country_code)

    def add_user(
        self,
        name: str,
        login: str,
        role: str,
        password: str,
        *,
        phone: str | None = None,
        sip_uri: str | None = None,
        language: str | None = None,
    ) -> Agent:
        """A new agent or admin; InvalidInput for a bad role, login or password."""
        login = _login(login)
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not name.strip():
            raise InvalidInput("a user needs a name")
        if sip_uri is not None and not sip_uri.startswith(("sip:", "sips:")):
            raise InvalidInput(
                f"a SIP URI starts with sip: or sips: (RFC 3261 §19.1), not {sip_uri!r}"
            )
        password_hash = hash_password(password, self.cost)
        now = self.clock.now()
        try:
            with self.db.atomic():
                return Agent.create(
                    name=name.strip(), login=login, role=role, password_hash=password_hash,
                    password_changed_at=now, created_at=now,
                    phone=normalise_phone(phone, self.country_code) if phone else None,
                    sip_uri=sip_uri, language=language,
                )
        except pw.IntegrityError as error:
            raise InvalidInput(f"login {login!r} is taken") from error

    def verify(self, login: str, password: str) -> Agent | None:
        """The active user with this login and password, else None."""
        agent = Agent.get_or_none(Agent.login == login.strip().lower())
        if agent is None or not agent.active:
            verify_password(password, _decoy_hash(self.cost))
            return None
        if not verify_password(password, agent.password_hash):
            return None
        if agent.password_hash is None or needs_rehash(agent.password_hash, self.cost):
            # Same password, today's cost: not a change, sessions stay valid.
            agent.password_hash = hash_password(password, self.cost)
            agent.save(only=[Agent.password_hash])
        return agent

    def change_password(self, agent_id: int, new_password: str) -> Agent:
        """Set a new password; sessions begun before now end."""
        password_hash = hash_password(new_password, self.cost)
        with self.db.atomic():
            agent = self._get(agent_id)
            agent.password_hash = password_hash
            agent.password_changed_at = self.clock.now()
            agent.save(only=[Agent.password_hash, Agent.password_changed_at])
        return agent

    def set_role(self, agent_id: int, role: str) -> Agent:
        """Make a user an agent or an admin."""
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.db.atomic():
            agent = self._get(agent_id)
            agent.role = role
            agent.save(only=[Agent.role])
        return agent

    def join_team(self, agent_id: int, team_name: str) -> Team:
        """Put a user in a team, made if new."""
        if not team_name.strip():
            raise InvalidInput("a team needs a name")
        with self.db.atomic():
            self._get(agent_id)
            team: Team = Team.get_or_create(name=team_name.strip())[0]
            AgentTeam.get_or_create(agent=agent_id, team=team.id)
        return team

    def teams_of(self, agent_id: int) -> list[str]:
        """The names of a user's teams, sorted."""
        query = (
            Team.select(Team.name).join(AgentTeam).where(AgentTeam.agent == agent_id)
            .order_by(Team.name).tuples()
        )
        return [name for (name,) in cast(Iterable[tuple[str]], query)]

    def _get(self, agent_id: int) -> Agent:
        agent = Agent.get_or_none(Agent.id == agent_id)
        if agent is None:
            raise NotFound(f"user {agent_id} does not exist")
        return agent


def _login(raw: str) -> str:
    login = raw.strip().lower()
    if not login or len(login) > LOGIN_MAX_CHARS or any(c.isspace() for c in login):
        raise InvalidInput(f"a login is 1-{LOGIN_MAX_CHARS} characters without spaces, not {raw!r}")
    return login
