"""IntakeWrites: the intake's plain-SQL writes make the rows and events the ticket book makes."""

from __future__ import annotations

import peewee as pw
import pytest

from appliance.spine.clock import ManualClock
from appliance.spine.events import MessageAdded, TicketCreated, TicketStatusChanged
from appliance.store.customers import CustomerDirectory
from appliance.store.intake_writes import AttachmentRow, IntakeWrites
from appliance.store.models import Attachment, ContactPoint, Customer, Message, Ticket
from appliance.store.ticket_records import MessageDraft, TicketRecords
from appliance.tickets import ReplyAction


def draft(message_id: str = "m1@asiakas.fi") -> MessageDraft:
    return MessageDraft(channel="email", direction="in", sender="liisa@asiakas.fi",
                        subject="Tulostin", body_text="Ei tulosta.", message_id=message_id)


@pytest.fixture
def writes(db: pw.Database, clock: ManualClock) -> IntakeWrites:
    return IntakeWrites(db, clock)


def test_a_new_address_becomes_one_customer_found_again_by_the_directory(
    db: pw.Database, writes: IntakeWrites
) -> None:
    with db.atomic():
        first = writes.customer_for_email(" Liisa@Asiakas.FI ", name="Liisa")
        again = writes.customer_for_email("liisa@asiakas.fi", name="Other")
    found = CustomerDirectory(db).find_by_email("liisa@asiakas.fi")
    assert found is not None and found.id == first == again
    assert Customer.get_by_id(first).name == "Liisa"
    assert ContactPoint.select().count() == 1


def test_a_nameless_customer_gets_the_name_the_mail_gives(
    db: pw.Database, writes: IntakeWrites
) -> None:
    known = CustomerDirectory(db).find_or_create_by_email("liisa@asiakas.fi")
    with db.atomic():
        assert writes.customer_for_email("liisa@asiakas.fi", name="Liisa") == known.id
    assert Customer.get_by_id(known.id).name == "Liisa"


def test_open_ticket_matches_the_ticket_book(
    db: pw.Database, writes: IntakeWrites, clock: ManualClock
) -> None:
    records = TicketRecords(db, clock)
    with db.atomic():
        customer = writes.customer_for_email("liisa@asiakas.fi")
        book = records.open_ticket("email", "Tulostin", customer, message=draft("a@x"))
        ours = writes.open_ticket("Tulostin", customer, draft("b@x"))
    mine, theirs = Ticket.get_by_id(ours.ticket_id), book.ticket
    assert mine.number == theirs.number + 1
    for column in ("channel", "subject", "status", "priority", "customer_id", "created_at",
                   "first_response_due", "resolution_due", "sla_running_since",
                   "sla_first_response_used_s", "sla_resolution_used_s"):
        assert getattr(mine, column) == getattr(theirs, column), column
    message = Message.get_by_id(ours.message_id)
    assert (message.ticket_id, message.message_id, message.direction) == (mine.id, "b@x", "in")
    created, added = ours.events
    assert isinstance(created, TicketCreated) and created.number == mine.number
    assert isinstance(added, MessageAdded) and added.message_id == message.id


def test_numbers_stay_above_a_deleted_ticket(
    db: pw.Database, writes: IntakeWrites, clock: ManualClock
) -> None:
    with db.atomic():
        first = writes.open_ticket("Yksi", None, draft("1@x"))
    Ticket.delete_by_id(first.ticket_id)
    with db.atomic():
        second = writes.open_ticket("Kaksi", None, draft("2@x"))
    assert Ticket.get_by_id(second.ticket_id).number == 1002
    # and the ticket book goes on from there too
    assert TicketRecords(db, clock).open_ticket("email", "Kolme").ticket.number == 1003


def test_a_reply_to_an_active_ticket_is_kept_on_it(
    db: pw.Database, writes: IntakeWrites, clock: ManualClock
) -> None:
    with db.atomic():
        opened = writes.open_ticket("Tulostin", None, draft("1@x"))
    clock.advance(60)
    with db.atomic():
        reply = writes.add_to_ticket(opened.ticket_id, draft("2@x"), customer_reply=True)
    assert (reply.ticket_id, reply.action) == (opened.ticket_id, ReplyAction.KEEP)
    assert Ticket.get_by_id(opened.ticket_id).updated_at == clock.now()
    assert [type(e) for e in reply.events] == [MessageAdded]


def test_a_reply_to_a_resolved_ticket_reopens_it_as_the_ticket_book_does(
    db: pw.Database, writes: IntakeWrites, clock: ManualClock
) -> None:
    records = TicketRecords(db, clock)
    with db.atomic():
        opened = writes.open_ticket("Tulostin", None, draft("1@x"))
    records.change_status(opened.ticket_id, "open")
    records.change_status(opened.ticket_id, "resolved")
    with db.atomic():
        reply = writes.add_to_ticket(opened.ticket_id, draft("2@x"), customer_reply=True)
    assert reply.action is ReplyAction.REOPEN
    assert Ticket.get_by_id(opened.ticket_id).status == "open"
    assert any(isinstance(e, TicketStatusChanged) for e in reply.events)


def test_an_automatic_mail_never_reopens(
    db: pw.Database, writes: IntakeWrites, clock: ManualClock
) -> None:
    records = TicketRecords(db, clock)
    with db.atomic():
        opened = writes.open_ticket("Tulostin", None, draft("1@x"))
    records.change_status(opened.ticket_id, "open")
    records.change_status(opened.ticket_id, "resolved")
    with db.atomic():
        writes.add_to_ticket(opened.ticket_id, draft("2@x"), customer_reply=False)
    assert Ticket.get_by_id(opened.ticket_id).status == "resolved"
    assert Message.select().where(Message.ticket == opened.ticket_id).count() == 2


def test_attachment_rows(db: pw.Database, writes: IntakeWrites) -> None:
    with db.atomic():
        opened = writes.open_ticket("Liite", None, draft())
        writes.add_attachments(opened.message_id,
                               [AttachmentRow("lasku.pdf", "application/pdf", 3, "ab" * 32)])
    row = Attachment.get()
    assert (row.message_id, row.filename, row.size, row.sha256) == (
        opened.message_id, "lasku.pdf", 3, "ab" * 32)


def test_a_likely_new_address_that_is_stored_after_all_keeps_one_customer(
    db: pw.Database, writes: IntakeWrites
) -> None:
    known = CustomerDirectory(db).find_or_create_by_email("liisa@asiakas.fi")
    customers = Customer.select().count()
    with db.atomic():
        assert writes.customer_for_email("Liisa@asiakas.fi", name="Liisa",
                                         likely_new=True) == known.id
        fresh = writes.customer_for_email("uusi@asiakas.fi", name="Uusi", likely_new=True)
    assert Customer.select().count() == customers + 1
    assert Customer.get_by_id(known.id).name == "Liisa"
    contact = ContactPoint.get(ContactPoint.value == "uusi@asiakas.fi")
    assert contact.customer_id == fresh
    assert Customer.get_by_id(fresh).name == "Uusi"
