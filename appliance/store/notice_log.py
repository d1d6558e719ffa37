"""The notice log: each notice and SLA alert kept once by its key, held ones until they go.

Blocking; run in the store thread. A key already stored means "told already":
a restart, a repeated event or a second check never tells anyone twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from appliance.store.models import NoticeLogEntry, database_proxy

RECENT_MAX = 50

PAGE, SENT, HELD, DROPPED, ALERT, FAILED = "page", "sent", "held", "dropped", "alert", "failed"


@dataclass(frozen=True, slots=True)
class LoggedNotice:
    """One row of the log, as the notifier and the agent's page read it."""

    id: int
    key: str
    agent_id: int | None
    ticket_id: int | None
    kind: str
    way: str
    state: str
    text: str
    created_at: datetime
    due_at: datetime | None


def _logged(row: NoticeLogEntry) -> LoggedNotice:
    return LoggedNotice(int(row.id), str(row.key), row.agent_id, row.ticket_id, str(row.kind),
                        str(row.way), str(row.state), str(row.text), row.created_at, row.due_at)


def claim(key: str, *, kind: str, state: str, now: datetime, agent_id: int | None = None,
          ticket_id: int | None = None, way: str = "", text: str = "",
          due_at: datetime | None = None) -> int | None:
    """Record a notice under its key; its row id, or None when the key was recorded already."""
    try:
        with database_proxy.atomic():  # a savepoint: PostgreSQL's transaction survives a clash
            row = NoticeLogEntry.create(key=key[:300], kind=kind, state=state, created_at=now,
                                        agent=agent_id, ticket=ticket_id, way=way, text=text,
                                        due_at=due_at,
                                        sent_at=now if state in (SENT, PAGE) else None)
    except pw.IntegrityError:
        return None
    return int(row.id)


def claim_alerts(keys: Iterable[str], kinds: dict[str, str], ticket_ids: dict[str, int | None],
                 now: datetime) -> set[str]:
    """Record SLA alerts; the keys not recorded before (those to act on now)."""
    fresh = set()
    for key in keys:
        if claim(key, kind=kinds[key], state=ALERT, now=now, ticket_id=ticket_ids.get(key)):
            fresh.add(key)
    return fresh


def held_due(now: datetime, limit: int = 100) -> list[LoggedNotice]:
    """Held notices whose quiet hours are over, oldest first."""
    rows = (NoticeLogEntry.select()
            .where((NoticeLogEntry.state == HELD) & (NoticeLogEntry.due_at <= now))
            .order_by(NoticeLogEntry.due_at, NoticeLogEntry.id).limit(limit))
    return [_logged(row) for row in rows]


def mark(entry_id: int, state: str, way: str, now: datetime) -> None:
    """What became of a held notice."""
    (NoticeLogEntry.update(state=state, way=way, sent_at=now)
     .where(NoticeLogEntry.id == entry_id).execute())


def recent(agent_id: int, limit: int = RECENT_MAX) -> list[LoggedNotice]:
    """The agent's latest notices, newest first."""
    rows = (NoticeLogEntry.select().where(NoticeLogEntry.agent == agent_id)
            .order_by(NoticeLogEntry.id.desc()).limit(limit))
    return [_logged(row) for row in rows]
