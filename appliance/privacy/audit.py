"""The audit trail: who viewed, exported, changed or erased which customer's data, and when.

An entry names the actor, the action and the customer's id, with a detail
of counts and ids only: the trail must never become a second copy of the
data it watches over (an erasure is recorded without what was erased).
Blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appliance.spine.clock import Clock, SystemClock
from appliance.store.models import AuditEntry

VIEW = "view"
EXPORT = "export"
CHANGE = "change"
ERASE = "erase"
RETENTION = "retention"
ACTIONS = (VIEW, EXPORT, CHANGE, ERASE, RETENTION)
PAGE_MAX = 500  # the most entries one read returns


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: an agent by login and id, a command-line user, or the box itself."""

    name: str
    agent_id: int | None = None

    @classmethod
    def agent(cls, login: str, agent_id: int) -> Actor:
        """An agent signed in to the web page."""
        return cls(login, agent_id)

    @classmethod
    def command_line(cls) -> Actor:
        """Whoever runs `aspa` on the box, by their operating-system user name."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry and no $USER: a bare container
            user = "unknown"
        return cls(f"cli:{user}")

    @classmethod
    def system(cls) -> Actor:
        """The box's own jobs (the nightly retention run)."""
        return cls("system")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entry as the admin page shows it."""

    id: int
    at: datetime
    actor: str
    actor_id: int | None
    action: str
    customer_id: int | None
    detail: dict[str, Any]


def record_audit(actor: Actor, action: str, customer_id: int | None,
                 detail: dict[str, Any] | None = None, *, clock: Clock | None = None) -> int:
    """Add one entry; returns its id. `detail` holds counts and ids, never personal data."""
    if action not in ACTIONS:
        raise ValueError(f"audit action must be one of {', '.join(ACTIONS)}, not {action!r}")
    entry = AuditEntry.create(at=(clock or SystemClock()).now(), actor=actor.name[:200],
                              actor_id=actor.agent_id, action=action, customer_id=customer_id,
                              detail=detail or {})
    return int(entry.id)


def audit_log(*, customer_id: int | None = None, action: str | None = None, limit: int = 100,
              before_id: int | None = None) -> list[AuditRecord]:
    """Entries newest first, `limit` at a time (pass the last id on as `before_id`)."""
    query = AuditEntry.select()
    if customer_id is not None:
        query = query.where(AuditEntry.customer_id == customer_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    rows = query.order_by(AuditEntry.id.desc()).limit(max(1, min(limit, PAGE_MAX)))
    return [AuditRecord(r.id, r.at, r.actor, r.actor_id, r.action, r.customer_id, r.detail)
            for r in rows]
