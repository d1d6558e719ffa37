"""The SMS outbox's table: blocking reads and writes, run in the store thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from appliance.store.models import SmsOutboxEntry

REPORT_MATCH_WINDOW = timedelta(days=3)  # a delivery report this late is not ours to match


@dataclass(frozen=True, slots=True)
class QueuedSms:
    """An SMS still to send."""

    id: int
    number: str
    text: str
    ticket_id: int | None
    preferred_line: str | None
    attempts: int
    created_at: datetime


def _queued(row: SmsOutboxEntry) -> QueuedSms:
    return QueuedSms(int(row.id), str(row.number), str(row.text), row.ticket_id,
                     row.preferred_line, int(row.attempts), row.created_at)


def queue_sms(number: str, text: str, ticket_id: int | None, preferred_line: str | None,
              now: datetime) -> int:
    """Keep an SMS to send; its id."""
    row = SmsOutboxEntry.create(number=number, text=text, ticket=ticket_id,
                                preferred_line=preferred_line, created_at=now, next_try_at=now)
    return int(row.id)


def due_sms(now: datetime, limit: int = 50) -> list[QueuedSms]:
    """The queued SMS whose next try is due, oldest first."""
    rows = (SmsOutboxEntry.select()
            .where((SmsOutboxEntry.state == "queued") & (SmsOutboxEntry.next_try_at <= now))
            .order_by(SmsOutboxEntry.id).limit(limit))
    return [_queued(row) for row in rows]


def next_try(now: datetime) -> datetime | None:
    """When the next queued SMS is due (None: nothing queued)."""
    row = (SmsOutboxEntry.select(SmsOutboxEntry.next_try_at)
           .where(SmsOutboxEntry.state == "queued")
           .order_by(SmsOutboxEntry.next_try_at).first())
    return None if row is None else row.next_try_at


def try_all_now(now: datetime) -> int:
    """A line came up: every queued SMS is due now; how many."""
    return int(SmsOutboxEntry.update(next_try_at=now)
               .where((SmsOutboxEntry.state == "queued") & (SmsOutboxEntry.next_try_at > now))
               .execute())


def mark_sent(sms_id: int, line: str, references: tuple[int, ...], now: datetime) -> None:
    (SmsOutboxEntry.update(state="sent", line=line, references=list(references), sent_at=now,
                           attempts=SmsOutboxEntry.attempts + 1, last_error="")
     .where(SmsOutboxEntry.id == sms_id).execute())


def mark_retry(sms_id: int, error: str, next_try_at: datetime) -> None:
    (SmsOutboxEntry.update(attempts=SmsOutboxEntry.attempts + 1, last_error=error[:500],
                           next_try_at=next_try_at)
     .where(SmsOutboxEntry.id == sms_id).execute())


def mark_given_up(sms_id: int, error: str) -> None:
    (SmsOutboxEntry.update(state="given_up", last_error=error[:500])
     .where(SmsOutboxEntry.id == sms_id).execute())


def match_report(line: str, number: str, reference: int, outcome: str,
                 now: datetime) -> tuple[int, int | None] | None:
    """The sent SMS a delivery report is about, marked with its outcome: (id, ticket) or None.

    The network's reference is one byte and repeats, so the newest SMS sent on that line
    to that number with that reference within the window is the one.
    """
    rows = (SmsOutboxEntry.select()
            .where((SmsOutboxEntry.line == line) & (SmsOutboxEntry.state == "sent")
                   & (SmsOutboxEntry.sent_at >= now - REPORT_MATCH_WINDOW))
            .order_by(SmsOutboxEntry.sent_at.desc(), SmsOutboxEntry.id.desc()))
    for row in rows:
        if reference in (row.references or []) and _same_number(str(row.number), number):
            if outcome != "pending":
                state = "delivered" if outcome == "delivered" else "not_delivered"
                (SmsOutboxEntry.update(state=state, reported_at=now)
                 .where(SmsOutboxEntry.id == row.id).execute())
            return int(row.id), row.ticket_id
    return None


def _same_number(ours: str, reported: str) -> bool:
    """The report names the recipient as the network wrote it: +358… or 0… for the same line."""
    digits = "".join(c for c in ours if c.isdigit())
    theirs = "".join(c for c in reported if c.isdigit())
    tail = min(len(digits), len(theirs), 9)
    return tail >= 6 and digits[-tail:] == theirs[-tail:]
