"""The retention job with an injected clock: exactly what the policy says goes, figures stay."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from appliance.config.sections.retention import RetentionSettings
from appliance.privacy.audit import RETENTION, Actor, audit_log, record_audit
from appliance.privacy.retention import run_retention
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallOffered, SmsReceived
from appliance.store.attachment_folder import blob_path, store_blob
from appliance.store.call_figures import call_figures_between
from appliance.store.models import (
    Attachment,
    AuditEntry,
    Call,
    DailyFigure,
    HistoryEntry,
    Message,
    Quarantine,
    Ticket,
)
from appliance.store.startup import open_store
from appliance.store.stats import service_debt_today
from appliance.store.ticket_records import MessageDraft, TicketRecords
from tests.privacy.scenario import ZONE, record

POLICY = RetentionSettings(closed_tickets_days=30, call_records_days=10, sms_days=10,
                           attachments_days=20, quarantine_days=5, audit_days=15)
NOW = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)  # the nightly run, just after midnight
JUST = timedelta(seconds=1)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@dataclass
class Aged:
    """Rows just past and just within each limit."""

    db: pw.Database
    attachments: Path
    old_closed: int
    recent_closed: int
    old_open: int
    blobs: dict[str, str]


@pytest.fixture
def aged(tmp_path: Path) -> Iterator[Aged]:
    db = open_store(tmp_path / "aspa.db")
    root = tmp_path / "attachments"
    clock = ManualClock(days_ago(60))
    records = TicketRecords(db, clock)
    blobs = {}

    def attach(message_id: int, name: str) -> None:
        data = f"file {name}".encode()
        digest = hashlib.sha256(data).hexdigest()
        store_blob(root, digest, data)
        Attachment.create(message=message_id, filename=name, size=len(data), sha256=digest)
        blobs[name] = digest

    def at(moment: datetime) -> None:
        clock.set(moment)

    old = records.open_ticket("email", "old", message=MessageDraft(
        channel="email", direction="in", body_text="old mail"))
    record(old.events)
    attach(old.message.id, "old-closed.pdf")
    old_open = records.open_ticket("email", "still open", message=MessageDraft(
        channel="email", direction="in", body_text="old but open"))
    attach(old_open.message.id, "old-open.pdf")
    at(days_ago(30) - JUST - timedelta(days=1))
    records.change_status(old.ticket.id, "resolved")
    at(days_ago(30) - JUST)
    records.change_status(old.ticket.id, "closed")
    recent = records.open_ticket("sms", "recent", message=MessageDraft(
        channel="sms", direction="in", sender="+358409999999", body_text="old sms"))
    at(days_ago(30) + JUST)
    records.change_status(recent.ticket.id, "closed")
    at(days_ago(20) + JUST)
    young = records.add_message(old_open.ticket.id, MessageDraft(
        channel="email", direction="in", body_text="young mail"))
    attach(young.message.id, "young.pdf")
    at(days_ago(10) - JUST)
    Call.create(call_ref="c-old", line="gsm0", number="+358401111111", offered_at=clock.now(),
                outcome="answered", answered_at=clock.now(), wait_seconds=5.0)
    records.add_message(old_open.ticket.id, MessageDraft(
        channel="sms", direction="in", sender="+358401111111", body_text="sms just too old"))
    record([SmsReceived(at=clock.now(), line="gsm0", number="+358401111111", text="too old"),
            CallOffered(at=clock.now(), call_id="c-old", line="gsm0", number="+358401111111")])
    at(days_ago(10) + JUST)
    Call.create(call_ref="c-new", line="gsm0", number="+358402222222", offered_at=clock.now(),
                outcome="abandoned", wait_seconds=50.0)
    records.add_message(old_open.ticket.id, MessageDraft(
        channel="sms", direction="in", sender="+358402222222", body_text="sms young enough"))
    record([SmsReceived(at=clock.now(), line="gsm0", number="+358402222222", text="young")])
    for age, name in ((5, "old"), (5, "new")):
        moment = days_ago(age) + (JUST if name == "new" else -JUST)
        Quarantine.create(source="mail:support", reason=name, raw=b"raw", received_at=moment)
    for age, name in ((15, "old"), (15, "new")):
        clock.set(days_ago(age) + (JUST if name == "new" else -JUST))
        record_audit(Actor.agent("aino", 1), "view", 1, {"which": name}, clock=clock)
    try:
        yield Aged(db, root, old.ticket.id, recent.ticket.id, old_open.ticket.id, blobs)
    finally:
        db.close()


def figures() -> dict[str, Any]:
    """What a report shows: each day's service debt (stored, else counted) and the calls."""
    calls = call_figures_between(days_ago(90), NOW)
    return {"days": [service_debt_today(days_ago(n), ZONE) for n in range(62, -1, -1)],
            "calls": (calls.offered, calls.answered, calls.service_level, calls.average_wait_s)}


def run(aged: Aged, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return run_retention(aged.db, POLICY, NOW, ZONE, aged.attachments, dry_run=dry_run)


EXPECTED = {"closed_tickets": 1, "attachments": 1, "call_numbers": 1, "sms_texts": 2,
            "quarantine": 1, "audit": 1, "attachment_files": 2}


def test_exactly_what_the_policy_says_goes(aged: Aged) -> None:
    before = figures()
    assert not DailyFigure.select().exists()  # so `before` was counted from the tickets

    report = run(aged)

    assert report.removed == EXPECTED
    assert figures() == before
    assert [t.id for t in Ticket.select().order_by(Ticket.id)] == [
        aged.old_open, aged.recent_closed]
    assert not HistoryEntry.select().where(HistoryEntry.ticket == aged.old_closed).exists()
    assert {a.filename for a in Attachment.select()} == {"young.pdf"}
    assert {name for name, digest in aged.blobs.items()
            if blob_path(aged.attachments, digest).exists()} == {"young.pdf"}
    assert {(c.call_ref, c.number, c.number_status) for c in Call.select()} == {
        ("c-old", None, "expired"), ("c-new", "+358402222222", "valid")}
    sms = {m.body_text for m in Message.select().where(Message.channel == "sms")}
    assert sms == {"", "sms young enough"}
    events = {(h.kind, h.data.get("number"), h.data.get("text"))
              for h in HistoryEntry.select().where(HistoryEntry.kind.in_(
                  ["sms.received", "call.offered"]))}
    assert events == {("sms.received", None, None), ("call.offered", None, None),
                      ("sms.received", "+358402222222", "young")}
    assert [q.reason for q in Quarantine.select()] == ["new"]
    views = [e.detail["which"] for e in audit_log(action="view")]
    assert views == ["new"]
    [entry] = audit_log(action=RETENTION)
    assert entry.actor == "system" and entry.detail["removed"] == EXPECTED


def test_a_dry_run_counts_the_same_and_changes_nothing(aged: Aged) -> None:
    rows_before = {m.__name__: m.select().count()
                   for m in (Ticket, Message, Attachment, Quarantine, AuditEntry)}

    report = run(aged, dry_run=True)

    assert report.removed == EXPECTED
    assert {m.__name__: m.select().count()
            for m in (Ticket, Message, Attachment, Quarantine, AuditEntry)} == rows_before
    assert all(blob_path(aged.attachments, d).exists() for d in aged.blobs.values())
    assert Call.get(Call.call_ref == "c-old").number == "+358401111111"


def test_a_second_run_finds_nothing_more(aged: Aged) -> None:
    run(aged)
    again = run(aged)
    assert not again.anything
    assert len(audit_log(action=RETENTION)) == 1


def test_zero_days_keeps_everything(aged: Aged) -> None:
    report = run_retention(aged.db, RetentionSettings(0, 0, 0, 0, 0, 0), NOW, ZONE,
                           aged.attachments)
    assert not report.anything
