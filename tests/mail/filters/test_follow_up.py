"""follow_up: references first, then `[#n]` only from the ticket's customer or its cc."""

from __future__ import annotations

import peewee as pw
import pytest

from appliance.mail.filters import follow_up, parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.store.models import Message, Ticket
from tests.mail.mail_factory import plain_mail


@pytest.fixture
def ticket(processor: MailProcessor) -> Ticket:
    """Ticket #1001 from liisa@asiakas.fi, cc'ing pomo@asiakas.fi."""
    raw = plain_mail(sender="liisa@asiakas.fi", message_id="<first@asiakas.fi>",
                     extra_headers="Cc: pomo@asiakas.fi\r\n")
    return Ticket.get_by_id(processor.process(raw, "t").ticket_id)


def annotated(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    mail = ParsedMail(raw=raw, source="t")
    parse.run(mail, ctx)
    follow_up.run(mail, ctx)
    return mail


def test_in_reply_to_a_stored_message_threads(ticket: Ticket, ctx: IntakeContext) -> None:
    mail = annotated(plain_mail(sender="joku@muu.fi",
                                extra_headers="In-Reply-To: <first@asiakas.fi>\r\n"), ctx)
    assert (mail.follow_up_ticket_id, mail.follow_up_reason) == (ticket.id, "references")


def test_references_to_our_own_reply_thread(ticket: Ticket, ctx: IntakeContext) -> None:
    Message.create(ticket=ticket, channel="email", direction="out", sender="tuki@yritys.fi",
                   message_id="out-1@aspa.example.fi")
    refs = "References: <unknown@x> <out-1@aspa.example.fi>\r\n"
    mail = annotated(plain_mail(extra_headers=refs), ctx)
    assert mail.follow_up_ticket_id == ticket.id


@pytest.mark.parametrize(("sender", "threads"), [
    ("liisa@asiakas.fi", True),   # the ticket's customer
    ("pomo@asiakas.fi", True),    # on the ticket's cc
    ("vieras@muu.fi", False),     # a stranger quoting a ticket number starts a new ticket
])
def test_subject_tag_threads_only_for_the_customer_or_cc(
    sender: str, threads: bool, ticket: Ticket, ctx: IntakeContext
) -> None:
    mail = annotated(plain_mail(sender=sender, subject=f"Re: [#{ticket.number}] Tulostin"), ctx)
    assert (mail.follow_up_ticket_id == ticket.id) is threads


def test_follow_up_of_a_merged_ticket_goes_to_the_surviving_one(
    ticket: Ticket, processor: MailProcessor, ctx: IntakeContext
) -> None:
    second = processor.process(plain_mail(sender="liisa@asiakas.fi"), "t")
    other = Ticket.get_by_id(second.ticket_id)
    ticket.merged_into = other
    ticket.save()
    mail = annotated(plain_mail(extra_headers="In-Reply-To: <first@asiakas.fi>\r\n"), ctx)
    assert mail.follow_up_ticket_id == other.id


def test_unknown_ticket_number_is_a_new_ticket(store: pw.Database, ctx: IntakeContext) -> None:
    assert annotated(plain_mail(subject="[#999999] vanha"), ctx).follow_up_ticket_id is None
