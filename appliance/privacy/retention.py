"""The retention job: remove what the `[retention]` policy says is kept no longer.

Closed tickets go whole (messages, attachments, history); callers' numbers,
SMS texts and attachments go from rows that otherwise stay, so the call
figures (service level, answer rate) and ticket threads still add up; the
daily ticket figures (service debt) are stored before any ticket goes, so
the series does not shift. Quarantine and audit entries go by age. One
transaction: a dry run is the same work rolled back, so it counts exactly
what a real run would remove.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import peewee as pw

from appliance.config.sections.retention import RetentionSettings
from appliance.privacy.audit import RETENTION, Actor, record_audit
from appliance.privacy.blob_files import remove_blobs, unreferenced
from appliance.privacy.database_wipe import secure_delete_on
from appliance.privacy.query_rows import first_column
from appliance.spine.events import RetentionApplied
from appliance.store.daily_figures import close_day, close_finished_days
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import (
    Attachment,
    AuditEntry,
    Call,
    HistoryEntry,
    Message,
    Quarantine,
    Ticket,
)

log = logging.getLogger("aspa.privacy.retention")

EXPIRED_NUMBER_STATUS = "expired"
CALL_EVENT_KINDS = ("call.offered", "call.state", "callback.created", "call.recorded")
SMS_EVENT_KINDS = ("sms.received", "sms.sent", "sms.delivery_report")


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


@dataclass
class RetentionReport:
    """What one run removed (or, in a dry run, would remove), by kind."""

    now: datetime
    dry_run: bool
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        """Whether anything was (or would be) removed."""
        return any(self.removed.values())


def cutoff(now: datetime, days: int) -> datetime | None:
    """Before this moment data of this kind is too old; None when it is kept for ever."""
    return now - timedelta(days=days) if days > 0 else None


def applied_event(report: RetentionReport, at: datetime) -> RetentionApplied:
    """The event that tells the rest of the box what a run removed, by kind."""
    return RetentionApplied(at=at, removed=tuple(sorted(report.removed.items())))


def run_retention(db: pw.Database, policy: RetentionSettings, now: datetime, zone: tzinfo,
                  attachments_root: Path, *, dry_run: bool = False,
                  actor: Actor | None = None) -> RetentionReport:
    """Apply the policy as of `now` (the injected clock's time)."""
    report = RetentionReport(now, dry_run)
    if not dry_run:
        secure_delete_on(db)
    gone: list[str] = []
    try:
        with db.atomic():
            hashes = _apply(policy, now, zone, report)
            gone = unreferenced(hashes)
            report.removed["attachment_files"] = len(gone)
            if dry_run:
                raise _DryRun
            if report.anything:
                record_audit(actor or Actor.system(), RETENTION, None,
                             {"removed": report.removed, "policy": dict(policy.policy())},
                             clock=_At(now))
    except _DryRun:
        pass
    if not dry_run:
        remove_blobs(attachments_root, gone)
    log.info("retention%s: %s", " (dry run)" if dry_run else "",
             ", ".join(f"{k} {v}" for k, v in report.removed.items()))
    return report


class _At:
    """A clock stopped at the job's moment, for its audit entry."""

    def __init__(self, moment: datetime) -> None:
        self._moment = moment

    def now(self) -> datetime:
        return self._moment


def _apply(policy: RetentionSettings, now: datetime, zone: tzinfo,
           report: RetentionReport) -> list[str]:
    hashes: list[str] = []
    removed = report.removed
    before = cutoff(now, policy.closed_tickets_days)
    removed["closed_tickets"] = _closed_tickets(before, now, zone, hashes) if before else 0
    before = cutoff(now, policy.attachments_days)
    removed["attachments"] = _attachments(before, hashes) if before else 0
    before = cutoff(now, policy.call_records_days)
    removed["call_numbers"] = _call_numbers(before) if before else 0
    before = cutoff(now, policy.sms_days)
    removed["sms_texts"] = _sms(before) if before else 0
    before = cutoff(now, policy.quarantine_days)
    removed["quarantine"] = (Quarantine.delete().where(Quarantine.received_at < before)
                             .execute() if before else 0)
    before = cutoff(now, policy.audit_days)
    removed["audit"] = AuditEntry.delete().where(AuditEntry.at < before).execute() if before else 0
    return hashes


def _closed_tickets(before: datetime, now: datetime, zone: tzinfo, hashes: list[str]) -> int:
    ids = first_column(Ticket.select(Ticket.id).where(
        (Ticket.status == "closed") & (Ticket.closed_at < before)))
    if not ids:
        return 0
    _keep_daily_figures(ids, now, zone)
    messages = Message.select(Message.id).where(Message.ticket.in_(ids))
    hashes.extend(first_column(Attachment.select(Attachment.sha256)
                               .where(Attachment.message.in_(messages))))
    Attachment.delete().where(Attachment.message.in_(messages)).execute()
    OutgoingMail.delete().where(OutgoingMail.ticket.in_(ids)).execute()
    HistoryEntry.delete().where(HistoryEntry.ticket.in_(ids)).execute()
    Message.delete().where(Message.ticket.in_(ids)).execute()
    return int(Ticket.delete().where(Ticket.id.in_(ids)).execute())


def _keep_daily_figures(ticket_ids: list[int], now: datetime, zone: tzinfo) -> None:
    """Store every finished day these tickets count in, before they go (service debt)."""
    close_finished_days(now, zone)
    first = Ticket.select(pw.fn.MIN(Ticket.created_at)).where(Ticket.id.in_(ticket_ids)).scalar()
    if first is None:
        return
    day = _local_day(first, zone)
    today = now.astimezone(zone).date()
    while day < today:
        close_day(day, zone)
        day += timedelta(days=1)


def _local_day(moment: Any, zone: tzinfo) -> date:
    value = Ticket.created_at.python_value(moment)  # MIN() comes back raw: naive UTC
    return value.astimezone(zone).date() if isinstance(value, datetime) else date.fromisoformat(
        str(value)[:10])


def _attachments(before: datetime, hashes: list[str]) -> int:
    old = Message.select(Message.id).where(Message.created_at < before)
    hashes.extend(first_column(Attachment.select(Attachment.sha256)
                               .where(Attachment.message.in_(old))))
    return int(Attachment.delete().where(Attachment.message.in_(old)).execute())


def _call_numbers(before: datetime) -> int:
    count = int(Call.update(number=None, number_status=EXPIRED_NUMBER_STATUS).where(
        (Call.offered_at < before) & Call.number.is_null(False)).execute())
    # a callback's subject names the caller (appliance/calls/call_records.callback_subject)
    Ticket.update(subject="").where(
        (Ticket.channel == "callback") & (Ticket.created_at < before) & (Ticket.subject != "")
    ).execute()
    _clear_history(before, CALL_EVENT_KINDS, ("number",))
    _clear_history(before, ("ticket.created",), ("subject",), only_channel="callback")
    return count


def _sms(before: datetime) -> int:
    count = int(Message.update(body_text="", sender="").where(
        (Message.channel == "sms") & (Message.created_at < before)
        & ((Message.body_text != "") | (Message.sender != ""))).execute())
    Ticket.update(subject="").where(
        (Ticket.channel == "sms") & (Ticket.created_at < before) & (Ticket.subject != "")
    ).execute()
    _clear_history(before, SMS_EVENT_KINDS, ("number", "text"))
    _clear_history(before, ("ticket.created",), ("subject",), only_channel="sms")
    return count


def _clear_history(before: datetime, kinds: Iterable[str], keys: tuple[str, ...],
                   only_channel: str | None = None) -> None:
    """Empty these payload fields of old events (JSON keys are stored sorted, `"key": "...`)."""
    holding = None
    for key in keys:
        test = pw.fn.LOWER(HistoryEntry.data).contains(f'"{key}": "')
        holding = test if holding is None else holding | test
    rows = HistoryEntry.select(HistoryEntry.id, HistoryEntry.data).where(
        (HistoryEntry.at < before) & HistoryEntry.kind.in_(list(kinds)) & holding)
    for entry in rows:
        data = dict(entry.data)
        if only_channel is not None and data.get("channel") != only_channel:
            continue
        for key in keys:
            if data.get(key):
                data[key] = None
        HistoryEntry.update(data=data).where(HistoryEntry.id == entry.id).execute()
