"""Everything the store holds about one customer: the rows linked to them and those naming them.

Rows are found by link (the customer's tickets, their messages, calls and
history) and by content (a call from their number with no customer link, an
SMS event, a quarantined mail or PDU from their address). Export reads it,
erasure scrubs it. Blocking: run it in the store thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

import peewee as pw

from appliance.privacy.errors import CustomerUnknown
from appliance.privacy.needles import Needles, phones_and_emails
from appliance.privacy.query_rows import ids, tuples
from appliance.store.mail_models import MailIntakeRecord, OutgoingMail
from appliance.store.models import (
    AfterCall,
    Attachment,
    Call,
    ContactPoint,
    Customer,
    HistoryEntry,
    Message,
    Quarantine,
    Ticket,
)

BATCH = 200  # raw quarantine rows read at a time (each may be a whole mail)


@dataclass
class Footprint:
    """The ids of every row about one customer, and the needles that found them."""

    customer: Customer
    needles: Needles
    ticket_ids: list[int] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)  # on their tickets or sent by them
    attachment_ids: list[int] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)
    history_ids: list[int] = field(default_factory=list)
    quarantine_ids: list[int] = field(default_factory=list)
    outgoing_ids: list[int] = field(default_factory=list)
    intake_ids: list[int] = field(default_factory=list)
    after_call_ids: list[int] = field(default_factory=list)  # what agents wrote after calls

    def counts(self) -> dict[str, int]:
        """How many rows of each kind: what the audit trail and the report say."""
        return {"tickets": len(self.ticket_ids), "messages": len(self.message_ids),
                "attachments": len(self.attachment_ids), "calls": len(self.call_ids),
                "history": len(self.history_ids), "quarantine": len(self.quarantine_ids),
                "outgoing_mail": len(self.outgoing_ids),
                "after_calls": len(self.after_call_ids)}


def load_customer(customer_id: int) -> Customer:
    """The customer, or CustomerUnknown saying so."""
    customer: Customer | None = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise CustomerUnknown(f"customer {customer_id} does not exist; nothing was changed")
    return customer


def footprint_of(customer_id: int, country_code: str | None = "358") -> Footprint:
    """Find every row about this customer."""
    customer = load_customer(customer_id)
    contacts = tuples(ContactPoint.select(ContactPoint.kind, ContactPoint.value).where(
        ContactPoint.customer == customer_id))
    needles = phones_and_emails(contacts, country_code)
    found = Footprint(customer, needles)
    found.ticket_ids = ids(Ticket.select(Ticket.id).where(Ticket.customer == customer_id))
    linked_calls = Call.select(Call.id, Call.number).where(Call.customer == customer_id)
    for _, number in tuples(linked_calls):
        needles.add_phone(number, country_code)
    for sender, channel in tuples(Message.select(Message.sender, Message.channel).where(
            Message.ticket.in_(found.ticket_ids) & (Message.direction == "in"))):
        if channel == "email":
            needles.add_email(sender)
        elif channel == "sms":
            needles.add_phone(sender, country_code)
    senders = [n.lower() for n in needles.texts]
    found.message_ids = ids(Message.select(Message.id).where(
        Message.ticket.in_(found.ticket_ids) | pw.fn.LOWER(Message.sender).in_(senders)))
    found.attachment_ids = ids(Attachment.select(Attachment.id).where(
        Attachment.message.in_(found.message_ids)))
    calls = Call.customer == customer_id
    if needles.phones:
        calls |= Call.number.in_(sorted(needles.phones))
    found.call_ids = ids(Call.select(Call.id).where(calls))
    after_calls = AfterCall.customer == customer_id
    if needles.phones:
        after_calls |= AfterCall.number.in_(sorted(needles.phones))
    found.after_call_ids = ids(AfterCall.select(AfterCall.id).where(after_calls))
    found.history_ids = _history_ids(customer_id, found.ticket_ids, needles)
    found.quarantine_ids = _quarantine_ids(found.ticket_ids, needles)
    found.outgoing_ids = ids(OutgoingMail.select(OutgoingMail.id).where(
        OutgoingMail.ticket.in_(found.ticket_ids) | OutgoingMail.message.in_(found.message_ids)))
    found.outgoing_ids += [
        int(row_id) for row_id, recipients in tuples(
            OutgoingMail.select(OutgoingMail.id, OutgoingMail.recipients).where(
                mentions_any(OutgoingMail.recipients, needles)))
        if row_id not in found.outgoing_ids and needles.found_in_text(recipients)]
    found.intake_ids = ids(MailIntakeRecord.select(MailIntakeRecord.id).where(
        MailIntakeRecord.message.in_(found.message_ids)
        | MailIntakeRecord.quarantine.in_(found.quarantine_ids)))
    return found


def mentions_any(column: pw.Field | pw.Function, needles: Needles) -> pw.Expression:
    """Candidates: a LIKE test for each needle, case-insensitive on both backends (false
    without needles); confirm each row with `Needles.found_in_text`, which minds boundaries."""
    text = pw.fn.LOWER(column)  # a function, so the field's own converter leaves the text alone
    tests = [text.contains(n.lower()) for n in needles.texts]
    if not tests:
        return pw.Value(1) == 0
    found: pw.Expression = reduce(or_, tests)
    return found


def _history_ids(customer_id: int, ticket_ids: list[int], needles: Needles) -> list[int]:
    linked = (HistoryEntry.customer == customer_id) | HistoryEntry.ticket.in_(ticket_ids)
    found = set(ids(HistoryEntry.select(HistoryEntry.id).where(linked)))
    if needles:
        # LIKE's '_' matches any character: confirm each candidate by its text
        candidates = HistoryEntry.select(HistoryEntry.id, HistoryEntry.data).where(
            mentions_any(HistoryEntry.data, needles))
        for entry in candidates:
            if entry.id not in found and needles.found_in_text(
                    HistoryEntry.data.db_value(entry.data)):
                found.add(int(entry.id))
    return sorted(found)


def _quarantine_ids(ticket_ids: list[int], needles: Needles) -> list[int]:
    found = set(ids(Quarantine.select(Quarantine.id).where(
        Quarantine.result_ticket.in_(ticket_ids))))
    if not needles:
        return sorted(found)
    last = 0
    while True:
        rows = tuples(Quarantine.select(Quarantine.id, Quarantine.raw, Quarantine.reason)
                      .where(Quarantine.id > last).order_by(Quarantine.id).limit(BATCH))
        if not rows:
            return sorted(found)
        for row_id, raw, reason in rows:
            if needles.found_in_bytes(bytes(raw or b"")) or needles.found_in_text(reason):
                found.add(int(row_id))
        last = int(rows[-1][0])
