"""Erase a customer on request (GDPR Art. 17): their data goes, the figures stay.

Contact points, names, notes, message texts, subjects, attachments and
callers' numbers are removed or replaced by a marker everywhere they were
stored: tickets, messages, calls, history payloads, quarantine, the mail
ledger and outgoing mail. Rows keep their times, statuses and outcomes, so
ticket counts, service debt and call service level are what they were. The
customer row stays, nameless and marked erased, so a second request is told
so. Then the database is compacted so no old bytes are left in its files
(database_wipe.py), and files no row needs any more are deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import peewee as pw

from appliance.privacy.audit import ERASE, Actor, record_audit
from appliance.privacy.blob_files import remove_blobs, unreferenced
from appliance.privacy.database_wipe import compact, secure_delete_on
from appliance.privacy.errors import AlreadyErased
from appliance.privacy.footprint import Footprint, footprint_of
from appliance.privacy.needles import ERASED, Needles
from appliance.privacy.payload_scrub import scrub_payload
from appliance.privacy.query_rows import first_column, tuples
from appliance.spine.clock import Clock, SystemClock
from appliance.spine.events import CustomerErased
from appliance.store.customers import CustomerDirectory
from appliance.store.mail_models import MailIntakeRecord, OutgoingMail
from appliance.store.models import (
    AfterCall,
    Attachment,
    Call,
    HistoryEntry,
    Message,
    Quarantine,
    Ticket,
)

log = logging.getLogger("aspa.privacy.erasure")

ERASED_NUMBER_STATUS = "erased"
TOUCHED_TABLES = ("customer", "contact_point", "ticket", "message", "attachment", "call",
                  "history_entry", "quarantine", "outgoing_mail", "mail_intake_record",
                  "after_call")


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure changed: row counts by kind, files deleted, whether files were compacted."""

    customer_id: int
    counts: dict[str, int]
    files_removed: int
    compacted: bool
    # the erased numbers and addresses, in memory only: for `sim_sweep.delete_from_sim`
    needles: Needles = field(default_factory=Needles, repr=False)


def erased_event(report: ErasureReport, at: datetime) -> CustomerErased:
    """The event that tells the rest of the box: counts only, never what was erased."""
    return CustomerErased(at=at, customer_id=report.customer_id,
                          tickets=report.counts.get("tickets", 0),
                          messages=report.counts.get("messages", 0))


def erase_customer(db: pw.Database, customer_id: int, *, actor: Actor, attachments_root: Path,
                   country_code: str | None = "358", clock: Clock | None = None) -> ErasureReport:
    """Erase one customer's personal data everywhere; AlreadyErased or CustomerUnknown if not."""
    clock = clock or SystemClock()
    secure_delete_on(db)
    with db.atomic():
        found = footprint_of(customer_id, country_code)
        erased_at = found.customer.erased_at
        if erased_at is not None:
            raise AlreadyErased(f"customer {customer_id} was already erased on "
                                f"{erased_at:%Y-%m-%d %H:%M} UTC; nothing was changed")
        hashes = first_column(Attachment.select(Attachment.sha256)
                              .where(Attachment.id.in_(found.attachment_ids)))
        _scrub(found)
        CustomerDirectory(db, clock=clock).erase(customer_id)
        counts = found.counts()
        # the trail keeps that it happened and how much, never what was erased
        record_audit(actor, ERASE, customer_id, counts, clock=clock)
    files = remove_blobs(attachments_root, unreferenced(hashes))
    compacted = compact(db, TOUCHED_TABLES)
    log.info("customer %d erased by %s: %s, %d files deleted", customer_id, actor.name,
             ", ".join(f"{v} {k}" for k, v in counts.items()), files)
    return ErasureReport(customer_id, counts, files, compacted, found.needles)


def _scrub(found: Footprint) -> None:
    needles = found.needles
    Ticket.update(subject="").where(Ticket.id.in_(found.ticket_ids)).execute()
    Message.update(sender="", recipients="", subject="", body_text="", body_html=None,
                   message_id=None, in_reply_to=None).where(
        Message.id.in_(found.message_ids)).execute()
    Attachment.delete().where(Attachment.id.in_(found.attachment_ids)).execute()
    Call.update(number=None, number_status=ERASED_NUMBER_STATUS).where(
        Call.id.in_(found.call_ids)).execute()
    AfterCall.update(notes="", number=None).where(AfterCall.id.in_(found.after_call_ids)).execute()
    for entry in HistoryEntry.select().where(HistoryEntry.id.in_(found.history_ids)):
        entry.data = scrub_payload(entry.data, needles)
        entry.save(only=[HistoryEntry.data])
    for row in Quarantine.select(Quarantine.id, Quarantine.reason).where(
            Quarantine.id.in_(found.quarantine_ids)):
        # the row stays (quarantine counts add up), its raw input goes
        Quarantine.update(raw=b"", reason=f"{ERASED} {needles.blot(row.reason)}").where(
            Quarantine.id == row.id).execute()
    OutgoingMail.delete().where(OutgoingMail.id.in_(found.outgoing_ids)).execute()
    MailIntakeRecord.update(rfc_message_id="").where(
        MailIntakeRecord.id.in_(found.intake_ids)).execute()
    if needles:
        _blot_elsewhere(found, needles)


def _blot_elsewhere(found: Footprint, needles: Needles) -> None:
    """Their number or address quoted on someone else's ticket (a note, a forwarded mail).

    Every subject and text is read, not only LIKE candidates: people write numbers
    grouped ("040 123 4567"), which only the pattern finds.
    """
    mine = set(found.ticket_ids)
    for ticket_id, subject in tuples(Ticket.select(Ticket.id, Ticket.subject)):
        if ticket_id not in mine and needles.found_in_text(subject):
            Ticket.update(subject=needles.blot(subject)).where(Ticket.id == ticket_id).execute()
    fields = (Message.recipients, Message.subject, Message.body_text, Message.body_html)
    erased = set(found.message_ids)
    for row in tuples(Message.select(Message.id, *fields)):
        if row[0] in erased:
            continue
        values = zip(fields, row[1:], strict=True)
        changes = {column: needles.blot(value) for column, value in values
                   if value and needles.found_in_text(value)}
        if changes:
            Message.update(changes).where(Message.id == row[0]).execute()
