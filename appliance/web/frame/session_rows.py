"""The sessions' table: blocking reads and writes, run in the store thread.

A row names its session by the SHA-256 of the cookie's token, never the token:
a copy of the database (a backup, a stolen SD card) logs nobody in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from appliance.store.models import Agent, WebSession, database_proxy


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A stored session and what its account says now."""

    agent_id: int
    role: str
    language: str | None
    created_at: datetime
    last_seen_at: datetime
    idle_timeout_s: int
    ends_at: datetime
    expires_at: datetime
    login: str
    name: str
    account_role: str
    account_active: bool
    password_changed_at: datetime

    def still_holds(self, now: datetime) -> bool:
        """Unexpired, and its account active, in the same role, with the same password."""
        return (now < self.expires_at and self.account_active and self.role == self.account_role
                and self.password_changed_at <= self.created_at)


def insert_session(token_hash: str, agent_id: int, role: str, language: str | None,
                   created_at: datetime, idle_timeout_s: int, ends_at: datetime,
                   expires_at: datetime, max_per_agent: int) -> list[str]:
    """Store a new session; the hashes of this account's sessions dropped to stay in bounds."""
    with database_proxy.atomic():
        WebSession.create(token_hash=token_hash, agent=agent_id, role=role, language=language,
                          created_at=created_at, last_seen_at=created_at,
                          idle_timeout_s=idle_timeout_s, ends_at=ends_at, expires_at=expires_at)
        surplus = (WebSession.select(WebSession.id, WebSession.token_hash)
                   .where(WebSession.agent == agent_id)
                   .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())
                   .offset(max_per_agent).tuples())
        dropped = list(cast(Iterable[tuple[int, str]], surplus))
        if dropped:
            WebSession.delete().where(WebSession.id.in_([i for i, _ in dropped])).execute()
    return [token for _, token in dropped]


def load_session(token_hash: str) -> SessionRow | None:
    """The session stored under this hash, joined with its account; None when there is none."""
    row = (WebSession.select(WebSession.agent, WebSession.role, WebSession.language,
                             WebSession.created_at, WebSession.last_seen_at,
                             WebSession.idle_timeout_s, WebSession.ends_at,
                             WebSession.expires_at, Agent.login, Agent.name, Agent.role,
                             Agent.active, Agent.password_changed_at)
           .join(Agent, on=(WebSession.agent == Agent.id))
           .where(WebSession.token_hash == token_hash).tuples().first())
    return SessionRow(*row) if row else None


def touch_session(token_hash: str, last_seen_at: datetime, expires_at: datetime) -> None:
    """Move a session's last use (and so its idle end) forward."""
    (WebSession.update(last_seen_at=last_seen_at, expires_at=expires_at)
     .where(WebSession.token_hash == token_hash).execute())


def delete_session(token_hash: str) -> None:
    WebSession.delete().where(WebSession.token_hash == token_hash).execute()


def delete_agent_sessions(agent_id: int) -> int:
    """End every session of one account; how many there were."""
    return int(WebSession.delete().where(WebSession.agent == agent_id).execute())


def set_sessions_language(agent_id: int, language: str | None) -> None:
    WebSession.update(language=language).where(WebSession.agent == agent_id).execute()


def purge_expired(now: datetime) -> int:
    """Delete the sessions past their idle or absolute end; how many went."""
    return int(WebSession.delete().where(WebSession.expires_at <= now).execute())
