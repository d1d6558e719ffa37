"""Sending recorded notices: which go together, which no longer matter, when to try again.

SLA warnings and breaches for one agent and one way that are due together (told
in one escalation round, or held by the same quiet hours) go as ONE notice naming
the count: a box that starts with thousands of breached tickets sends each agent
one SMS, not thousands. The other kinds go one by one, as they come. A notice
whose ticket has moved on is dropped: a warning for a ticket already past its due
time or no longer open, a breach of a ticket since resolved. A sender that fails
is tried again later, each time after a longer pause, never more than RETRY_MAX.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from appliance.queue.notice_rules import NoticeKind, NoticeWay

GROUPED_KINDS = frozenset({NoticeKind.SLA_WARNING, NoticeKind.SLA_BREACH})
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=15)
_DOUBLINGS_MAX = 16  # 30 s · 2**16 is far past RETRY_MAX already


@dataclass(frozen=True, slots=True)
class TicketNow:
    """What a notice needs to know of its ticket when it is sent."""

    number: int
    is_open: bool  # new, open or pending: not resolved, closed or merged away
    sla_due: datetime | None  # the running SLA due time; None while paused or met


def batch_key(entry_id: int, agent_id: int, kind: NoticeKind,
              way: NoticeWay) -> tuple[int, str, int]:
    """Notices with the same key go as one: SLA ones per agent and way, the rest alone."""
    if kind in GROUPED_KINDS:
        return agent_id, way.value, 0
    return agent_id, way.value, entry_id


def is_stale(kind: NoticeKind, ticket: TicketNow | None, now: datetime) -> bool:
    """True when an SLA notice no longer matters (its ticket moved on); others never are."""
    if kind not in GROUPED_KINDS:
        return False
    if ticket is None or not ticket.is_open:
        return True
    if kind is NoticeKind.SLA_WARNING:  # the breach, if it came, has its own notice
        return ticket.sla_due is None or now >= ticket.sla_due
    return False


def retry_at(tries: int, now: datetime) -> datetime:
    """When to try again after a sender failed, with `tries` failures before this one."""
    return now + min(RETRY_FIRST * (1 << min(tries, _DOUBLINGS_MAX)), RETRY_MAX)
