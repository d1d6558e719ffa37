"""What an export holds about one customer, as plain JSON-ready data (GDPR Art. 15).

Reads the rows of a `Footprint`; the archive writer (export.py) adds the
original files. Blocking: run it in the store thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from appliance.privacy.footprint import Footprint
from appliance.privacy.query_rows import tuples
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import (
    AfterCall,
    Agent,
    Attachment,
    AuditEntry,
    Call,
    ContactPoint,
    HistoryEntry,
    Message,
    Quarantine,
    Ticket,
)

_UNSAFE = re.compile(r"[^\w.\-]+")
NAME_CHARS_MAX = 100


@dataclass
class ExportFile:
    """One original file to put in the archive: from the attachments folder or from a row."""

    name: str  # path inside the archive
    sha256: str = ""  # a stored attachment's blob
    data: bytes | None = None  # raw bytes kept in the database (quarantine, sent mail)


@dataclass
class ExportContent:
    """The JSON documents of an export and the files that go with them."""

    documents: dict[str, Any] = field(default_factory=dict)  # archive name -> JSON data
    files: list[ExportFile] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name that stays inside its folder and opens on any system."""
    cleaned = _UNSAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name).strip("._")
    return cleaned[:NAME_CHARS_MAX] or "file"


def iso(value: datetime | date | None) -> str | None:
    """A time as ISO 8601 text (UTC times keep their +00:00)."""
    return None if value is None else value.isoformat()


def export_content(found: Footprint) -> ExportContent:
    """Every document and file about the customer."""
    content = ExportContent()
    customer = found.customer
    manager = Agent.get_or_none(Agent.id == customer.account_manager_id)
    content.documents["customer.json"] = {
        "id": customer.id, "name": customer.name, "vip": customer.vip,
        "language": customer.language, "notes": customer.notes,
        "account_manager": manager.name if manager else None,
        "created_at": iso(customer.created_at), "erased_at": iso(customer.erased_at),
        "contacts": [{"kind": c.kind, "value": c.value, "failing": c.failing}
                     for c in ContactPoint.select().where(ContactPoint.customer == customer.id)
                     .order_by(ContactPoint.id)],
    }
    content.documents["tickets.json"] = _tickets(found, content.files)
    content.documents["calls.json"] = [_call(c) for c in Call.select().where(
        Call.id.in_(found.call_ids)).order_by(Call.offered_at)]
    content.documents["after_calls.json"] = [
        {"opened_at": iso(a.opened_at), "saved_at": iso(a.saved_at), "number": a.number,
         "notes": a.notes, "outcome": a.outcome, "follow_up_at": iso(a.follow_up_at)}
        for a in AfterCall.select().where(AfterCall.id.in_(found.after_call_ids))
        .order_by(AfterCall.opened_at, AfterCall.id)]
    content.documents["history.json"] = [
        {"at": iso(h.at), "kind": h.kind, "ticket_id": h.ticket_id, "data": h.data}
        for h in HistoryEntry.select().where(HistoryEntry.id.in_(found.history_ids))
        .order_by(HistoryEntry.at, HistoryEntry.id)]
    content.documents["quarantine.json"] = _quarantine(found, content.files)
    content.documents["sent_mail.json"] = _sent_mail(found, content.files)
    content.documents["audit.json"] = [
        {"at": iso(a.at), "actor": a.actor, "action": a.action, "detail": a.detail}
        for a in AuditEntry.select().where(AuditEntry.customer_id == customer.id)
        .order_by(AuditEntry.id)]
    return content


def _tickets(found: Footprint, files: list[ExportFile]) -> list[dict[str, Any]]:
    messages: dict[int, list[dict[str, Any]]] = {}
    rows = Message.select().where(Message.id.in_(found.message_ids)).order_by(
        Message.created_at, Message.id)
    attachments: dict[int, list[Attachment]] = {}
    for a in Attachment.select().where(Attachment.id.in_(found.attachment_ids)):
        attachments.setdefault(a.message_id, []).append(a)
    numbers: dict[int, int] = dict(tuples(Ticket.select(Ticket.id, Ticket.number).where(
        Ticket.id.in_(sorted({m.ticket_id for m in rows})))))
    for m in rows:
        listed = []
        for a in attachments.get(m.id, []):
            name = f"attachments/{numbers[m.ticket_id]}/{m.id}-{a.id}-{safe_name(a.filename)}"
            files.append(ExportFile(name, sha256=a.sha256))
            listed.append({"filename": a.filename, "content_type": a.content_type,
                           "size": a.size, "sha256": a.sha256, "file": name})
        messages.setdefault(m.ticket_id, []).append({
            "id": m.id, "created_at": iso(m.created_at), "channel": m.channel,
            "direction": m.direction, "sender": m.sender, "recipients": m.recipients,
            "subject": m.subject, "body_text": m.body_text, "body_html": m.body_html,
            "attachments": listed})
    tickets = Ticket.select().where(Ticket.id.in_(sorted(set(found.ticket_ids) | set(messages))))
    return [{"number": t.number, "channel": t.channel, "subject": t.subject, "status": t.status,
             "priority": t.priority, "yours": t.id in found.ticket_ids,
             "created_at": iso(t.created_at), "resolved_at": iso(t.resolved_at),
             "closed_at": iso(t.closed_at), "messages": messages.get(t.id, [])}
            for t in tickets.order_by(Ticket.number)]


def _call(c: Call) -> dict[str, Any]:
    return {"line": c.line, "direction": c.direction, "number": c.number,
            "offered_at": iso(c.offered_at), "answered_at": iso(c.answered_at),
            "ended_at": iso(c.ended_at), "outcome": c.outcome, "wait_seconds": c.wait_seconds,
            "talk_seconds": c.talk_seconds}


def _quarantine(found: Footprint, files: list[ExportFile]) -> list[dict[str, Any]]:
    listed = []
    for q in Quarantine.select().where(Quarantine.id.in_(found.quarantine_ids)):
        raw = bytes(q.raw or b"")
        suffix = "eml" if q.source.startswith("mail:") else "txt"
        name = f"quarantine/{q.id}.{suffix}"
        if raw:
            files.append(ExportFile(name, data=raw))
        listed.append({"source": q.source, "reason": q.reason, "received_at": iso(q.received_at),
                       "file": name if raw else None})
    return listed


def _sent_mail(found: Footprint, files: list[ExportFile]) -> list[dict[str, Any]]:
    listed = []
    for o in OutgoingMail.select().where(OutgoingMail.id.in_(found.outgoing_ids)):
        name = f"sent_mail/{o.id}.eml"
        files.append(ExportFile(name, data=bytes(o.content)))
        listed.append({"kind": o.kind, "recipients": o.recipients, "state": o.state,
                       "created_at": iso(o.created_at), "sent_at": iso(o.sent_at), "file": name})
    return listed
