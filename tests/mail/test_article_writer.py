"""The writer: follow-ups reopen for people but not for robots; bounces flag the address."""

from __future__ import annotations

import pytest

from appliance.mail.article_writer import MailboxPosition
from appliance.mail.processing import MailProcessor
from appliance.spine.events import MessageAdded, TicketCreated, TicketStatusChanged
from appliance.store.models import ContactPoint, MailboxState, Message, Ticket
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail


@pytest.fixture
def resolved_ticket(processor: MailProcessor) -> Ticket:
    outcome = processor.process(plain_mail(sender="liisa@asiakas.fi",
                                           message_id="<orig@asiakas.fi>"), "t")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    ticket.status = "resolved"
    ticket.save()
    return ticket


def test_new_mail_publishes_ticket_created_and_message_added(processor: MailProcessor) -> None:
    outcome = processor.process(plain_mail(), "t")
    assert [type(e) for e in outcome.events] == [TicketCreated, MessageAdded]


def test_customer_reply_reopens_a_resolved_ticket(processor: MailProcessor,
                                                resolved_ticket: Ticket) -> None:
    reply = plain_mail(sender="liisa@asiakas.fi",
                       extra_headers="In-Reply-To: <orig@asiakas.fi>\r\n")
    outcome = processor.process(reply, "t")
    assert outcome.kind == "threaded"
    assert Ticket.get_by_id(resolved_ticket.id).status == "open"
    changed = [e for e in outcome.events if isinstance(e, TicketStatusChanged)]
    assert [(e.old_status, e.new_status) for e in changed] == [("resolved", "open")]


def test_auto_reply_threads_but_does_not_reopen(processor: MailProcessor,
                                                resolved_ticket: Ticket) -> None:
    vacation = plain_mail(sender="liisa@asiakas.fi",
                          extra_headers="In-Reply-To: <orig@asiakas.fi>\r\n"
                                        "Auto-Submitted: auto-replied\r\n")
    assert processor.process(vacation, "t").kind == "threaded"
    assert Ticket.get_by_id(resolved_ticket.id).status == "resolved"


def test_reply_to_a_closed_ticket_starts_a_new_one(processor: MailProcessor,
                                                   resolved_ticket: Ticket) -> None:
    resolved_ticket.status = "closed"
    resolved_ticket.save()
    reply = plain_mail(sender="liisa@asiakas.fi",
                       extra_headers="In-Reply-To: <orig@asiakas.fi>\r\n")
    outcome = processor.process(reply, "t")
    assert outcome.kind == "created" and outcome.ticket_id != resolved_ticket.id


def test_bounce_marks_the_failing_address(processor: MailProcessor,
                                          resolved_ticket: Ticket) -> None:
    ContactPoint.create(customer=resolved_ticket.customer_id, kind="email",
                        value="poistunut@asiakas.fi")
    # The bounced reply is of no stored ticket: kept aside, and the address still flagged.
    assert processor.process((CORPUS / "dsn_bounce.eml").read_bytes(), "t").kind == "quarantined"
    assert ContactPoint.get(ContactPoint.value == "poistunut@asiakas.fi").failing
    assert not ContactPoint.get(ContactPoint.value == "liisa@asiakas.fi").failing


def test_position_moves_with_each_mail_and_resets_on_new_uidvalidity(
    processor: MailProcessor,
) -> None:
    processor.process(plain_mail(), "t", position=MailboxPosition("support", 7, 10))
    processor.process(plain_mail(), "t", position=MailboxPosition("support", 7, 12))
    assert MailboxState.get().last_uid == 12
    processor.process(plain_mail(), "t", position=MailboxPosition("support", 8, 3))
    state = MailboxState.get()
    assert (state.uidvalidity, state.last_uid) == (8, 3)


def test_duplicate_still_advances_the_position(processor: MailProcessor) -> None:
    raw = plain_mail(message_id="<once@asiakas.fi>")
    processor.process(raw, "t", position=MailboxPosition("support", 7, 1))
    again = processor.process(raw, "t", position=MailboxPosition("support", 7, 2))
    assert again.kind == "duplicate" and MailboxState.get().last_uid == 2


@pytest.mark.parametrize(("status", "after"), [
    ("resolved", "open"), ("pending", "open"), ("open", "open"), ("closed", "closed")])
def test_a_bounce_of_our_reply_brings_a_set_aside_ticket_back_to_work(
    processor: MailProcessor, resolved_ticket: Ticket, status: str, after: str
) -> None:
    resolved_ticket.status = status
    resolved_ticket.save()
    Message.create(ticket=resolved_ticket, channel="email", direction="out",
                   sender="tuki@yritys.fi", recipients="poistunut@asiakas.fi",
                   subject="[#1001] Tulostin ei toimi", body_text="Vastaus.",
                   message_id="reply-1001-1@aspa.example.fi")
    outcome = processor.process((CORPUS / "dsn_bounce.eml").read_bytes(), "t")
    assert (outcome.kind, outcome.ticket_id) == ("threaded", resolved_ticket.id)
    assert Ticket.get_by_id(resolved_ticket.id).status == after
    changed = [e for e in outcome.events if isinstance(e, TicketStatusChanged)]
    assert [e.new_status for e in changed] == ([] if status == after else ["open"])
    note = Message.get_by_id(outcome.message_row_id).body_text
    assert note.startswith('[Aspa] the reply to poistunut@asiakas.fi ("[#1001] Tulostin ei toimi")'
                           " bounced: 550 5.1.1 User unknown")
