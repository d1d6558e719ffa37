"""The notice log: each notice and SLA alert kept once by its key, due and held ones until
they go.

Blocking; run in the store thread. A key already stored means "told already":
a restart, a repeated event or a second check never tells anyone twice. A notice
to send is recorded "due" first and marked "sent" only once its sender took it,
so one that a stop or a failing sender left behind is still there to send. An
SLA alert is recorded "alert-owed" and becomes "alert" once its notices are
recorded: one left owed by a stop is told again at the next start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from appliance.store.models import NoticeLogEntry, database_proxy

RECENT_MAX = 50
WAITING_MAX = 5_000  # notices looked at in one pass; a larger backlog goes in the next
_IN_BATCH = 500  # ids in one IN (...): well inside SQLite's bound parameters
_ROWS_IN_INSERT = 500  # rows of one multi-row INSERT: 10 values each, inside the bound too

PAGE, SENT, HELD, DROPPED, FAILED = "page", "sent", "held", "dropped", "failed"
DUE = "due"  # to send now (or at due_at, after a failed try)
ALERT, ALERT_OWED = "alert", "alert-owed"  # an SLA alert whose notices are / are not recorded
WAITING = (DUE, HELD)


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
    tries: int = 0


def _logged(row: NoticeLogEntry) -> LoggedNotice:
    return LoggedNotice(int(row.id), str(row.key), row.agent_id, row.ticket_id, str(row.kind),
                        str(row.way), str(row.state), str(row.text), row.created_at, row.due_at,
                        int(row.tries or 0))


def claim(key: str, *, kind: str, state: str, now: datetime, agent_id: int | None = None,
          ticket_id: int | None = None, way: str = "", text: str = "",
          due_at: datetime | None = None) -> int | None:
    """Record a notice under its key; its row id, or None when the key was recorded already."""
    try:
        with database_proxy.atomic():  # a savepoint: PostgreSQL's transaction survives a clash
            row = NoticeLogEntry.create(key=key[:300], kind=kind, state=state, created_at=now,
                                        agent=agent_id, ticket=ticket_id, way=way, text=text,
                                        due_at=due_at,
                                        sent_at=now if state == PAGE else None)
    except pw.IntegrityError:
        return None
    return int(row.id)


@dataclass(frozen=True, slots=True)
class NoticeClaim:
    """One notice to record under its key, as `claim` takes it."""

    key: str
    kind: str
    state: str
    agent_id: int | None = None
    ticket_id: int | None = None
    way: str = ""
    text: str = ""
    due_at: datetime | None = None


def claim_many(claims: Sequence[NoticeClaim], now: datetime,
               told_alerts: Iterable[str] = ()) -> list[int | None]:
    """Record a batch of notices in one transaction, each under its key, and mark the SLA
    alerts `told_alerts` told in it too; per claim its row id, None when its key was recorded
    already (before, or earlier in the batch).

    One commit for the batch instead of one a notice: a round of thousands of breaches is
    recorded in a few transactions. A key another writer records meanwhile is skipped by
    the insert itself (ON CONFLICT DO NOTHING), and only the rows inserted here come back.
    """
    fresh: dict[str, NoticeClaim] = {}
    for item in claims:
        fresh.setdefault(item.key[:300], item)
    ids: dict[str, int] = {}
    with database_proxy.atomic():
        rows = [{"key": key, "kind": c.kind, "state": c.state, "created_at": now,
                 "agent": c.agent_id, "ticket": c.ticket_id, "way": c.way, "text": c.text,
                 "due_at": c.due_at, "sent_at": now if c.state == PAGE else None}
                for key, c in fresh.items()]
        for start in range(0, len(rows), _ROWS_IN_INSERT):
            inserted = (NoticeLogEntry.insert_many(rows[start:start + _ROWS_IN_INSERT])
                        .on_conflict_ignore()
                        .returning(NoticeLogEntry.id, NoticeLogEntry.key).tuples().execute())
            ids.update((str(key), int(row_id)) for row_id, key in inserted)
        alerts = [key[:300] for key in told_alerts]
        for start in range(0, len(alerts), _IN_BATCH):
            (NoticeLogEntry.update(state=ALERT)
             .where(NoticeLogEntry.key.in_(alerts[start:start + _IN_BATCH])
                    & (NoticeLogEntry.state == ALERT_OWED)).execute())
    return [ids.pop(item.key[:300], None) for item in claims]


def claim_alerts(keys: Iterable[str], kinds: dict[str, str], ticket_ids: dict[str, int | None],
                 now: datetime) -> set[str]:
    """Record SLA alerts as owed; the keys not recorded before (those to act on now)."""
    fresh = set()
    for key in keys:
        if claim(key, kind=kinds[key], state=ALERT_OWED, now=now, ticket_id=ticket_ids.get(key)):
            fresh.add(key)
    return fresh


def owed_alerts(keys: Iterable[str]) -> set[str]:
    """Those of `keys` recorded as alerts whose notices were never recorded."""
    wanted = [key[:300] for key in keys]
    found: set[str] = set()
    for start in range(0, len(wanted), _IN_BATCH):
        rows = (NoticeLogEntry.select(NoticeLogEntry.key)
                .where(NoticeLogEntry.key.in_(wanted[start:start + _IN_BATCH])
                       & (NoticeLogEntry.state == ALERT_OWED)).tuples().iterator())
        found.update(str(key) for (key,) in rows)
    return found


def alert_told(key: str) -> None:
    """The alert's notices are recorded: it is not told again."""
    (NoticeLogEntry.update(state=ALERT)
     .where((NoticeLogEntry.key == key[:300]) & (NoticeLogEntry.state == ALERT_OWED)).execute())


def waiting(now: datetime, limit: int = WAITING_MAX) -> list[LoggedNotice]:
    """Due and held notices whose time has come, by agent and way (so that one agent's many
    notices come in one pass, to go as one), then oldest first."""
    rows = (NoticeLogEntry.select()
            .where(NoticeLogEntry.state.in_(WAITING) & (NoticeLogEntry.due_at <= now))
            .order_by(NoticeLogEntry.agent, NoticeLogEntry.way, NoticeLogEntry.due_at,
                      NoticeLogEntry.id).limit(limit))
    return [_logged(row) for row in rows]


def still_waiting(entry_ids: Iterable[int]) -> list[LoggedNotice]:
    """Those of the notices that are still due or held (not sent or dropped meanwhile)."""
    rows = (NoticeLogEntry.select()
            .where(NoticeLogEntry.id.in_(list(entry_ids)) & NoticeLogEntry.state.in_(WAITING))
            .order_by(NoticeLogEntry.id))
    return [_logged(row) for row in rows]


def settle(entry_ids: Iterable[int], state: str, way: str, now: datetime) -> int:
    """What became of waiting notices (sent, shown on the page, dropped); how many changed.

    Only waiting ones change: a sender that marked its notices in its own transaction has
    settled them already."""
    ids = list(entry_ids)
    changed = 0
    for start in range(0, len(ids), _IN_BATCH):
        changed += (NoticeLogEntry.update(state=state, way=way, sent_at=now)
                    .where(NoticeLogEntry.id.in_(ids[start:start + _IN_BATCH])
                           & NoticeLogEntry.state.in_(WAITING)).execute())
    return changed


def put_off(entry_ids: Iterable[int], until: datetime) -> None:
    """A sender failed: the notices stay due, tried again at `until`, one more try counted."""
    ids = list(entry_ids)
    for start in range(0, len(ids), _IN_BATCH):
        (NoticeLogEntry.update(state=DUE, due_at=until, tries=NoticeLogEntry.tries + 1)
         .where(NoticeLogEntry.id.in_(ids[start:start + _IN_BATCH])
                & NoticeLogEntry.state.in_(WAITING)).execute())


def recent(agent_id: int, limit: int = RECENT_MAX) -> list[LoggedNotice]:
    """The agent's latest notices, newest first."""
    rows = (NoticeLogEntry.select().where(NoticeLogEntry.agent == agent_id)
            .order_by(NoticeLogEntry.id.desc()).limit(limit))
    return [_logged(row) for row in rows]
