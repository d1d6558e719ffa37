"""Out-of-office replies and bounces through Dovecot: attached to their ticket or kept aside,
never a new ticket, never acknowledged; a bounce brings its set-aside ticket back to work."""

from __future__ import annotations

from collections.abc import Iterator

import peewee as pw
import pytest

from appliance.mail.acknowledgement import acknowledge
from appliance.mail.filters.unanswered_automatic import AUTO_REPLY_REASON, BOUNCE_REASON
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.spine.clock import ManualClock
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import ContactPoint, Message, Quarantine, Ticket
from appliance.store.work_items import load_open_tickets, ticket_id_of
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail
from tests.mail.test_acknowledgement import SETTINGS
from tests.mail.test_intake_dovecot import WAIT_S, Recorder, settings_for
from tests.peers.dovecot import ImapAccount


def ticket_with_our_reply(processor: MailProcessor, customer: str, subject: str,
                          status: str, reply_id: str) -> Ticket:
    """A customer's ticket in a status, with the reply we sent them under a Message-ID."""
    outcome = processor.process(plain_mail(sender=customer, subject=subject), "mail:support")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    ticket.status = status
    ticket.save()
    address = customer.rpartition("<")[2].rstrip(">")
    Message.create(ticket=ticket, channel="email", direction="out", sender="tuki@yritys.fi",
                   recipients=address, subject=f"Re: [#{ticket.number}] {subject}",
                   body_text="Vastaus.", message_id=reply_id)
    return ticket


@pytest.fixture
def acking(processor: MailProcessor, clock: ManualClock) -> MailProcessor:
    def after(mail: ParsedMail, outcome: object) -> None:
        acknowledge(mail, outcome, SETTINGS, clock)  # type: ignore[arg-type]
    processor.after_write = after
    return processor


@pytest.fixture
def worker_for(acking: MailProcessor) -> Iterator[list[MailboxWorker]]:
    workers: list[MailboxWorker] = []
    yield workers
    for worker in workers:
        worker.stop()


def take_in(account: ImapAccount, processor: MailProcessor, workers: list[MailboxWorker],
            count: int) -> None:
    worker = MailboxWorker(settings_for(account), processor, Recorder())
    worker.start()
    workers.append(worker)
    assert worker.wait_synced(1, WAIT_S), worker.health  # one sync takes in all waiting mail
    assert worker.health.taken_in == count


def test_out_of_office_and_bounces_attach_to_their_tickets_and_open_no_new_work(
    imap_account: ImapAccount, acking: MailProcessor, worker_for: list[MailboxWorker],
    store: pw.Database,
) -> None:
    printer = ticket_with_our_reply(acking, "Pekka Laine <pekka.laine@asiakas.fi>",
                                    "Tulostin ei toimi", "resolved",
                                    "reply-1001-1@aspa.example.fi")
    invoice = ticket_with_our_reply(acking, "Anna Korhonen <anna.korhonen@gmail.com>",
                                    "Laskussa virhe", "pending", "reply-1002-1@aspa.example.fi")
    order = ticket_with_our_reply(acking, "vanha.osoite@asiakas.fi", "Tilaus 4471", "resolved",
                                  "reply-1003-1@aspa.example.fi")
    OutgoingMail.delete().execute()  # the acknowledgements of the three tickets themselves
    assert len(load_open_tickets()) == 0  # all three set aside: resolved or pending
    tickets_before = Ticket.select().count()

    for name in ("exchange_oof.eml", "gmail_vacation.eml", "postfix_dsn_headers.eml"):
        imap_account.append((CORPUS / name).read_bytes())
    take_in(imap_account, acking, worker_for, 3)

    assert Ticket.select().count() == tickets_before
    # The vacation replies change nothing; the bounce (our answer never arrived) is work again.
    assert [ticket_id_of(item.id) for item in load_open_tickets()] == [order.id]
    assert Ticket.get_by_id(printer.id).status == "resolved"
    assert Ticket.get_by_id(invoice.id).status == "pending"
    assert Ticket.get_by_id(order.id).status == "open"

    oof = Message.get(Message.ticket == printer, Message.direction == "in",
                      Message.sender == "pekka.laine@asiakas.fi",
                      Message.subject.startswith("Automatic reply"))
    assert oof.body_text.startswith("[Aspa] automatic reply")
    assert "poissa toimistolta" in oof.body_text
    vacation = Message.get(Message.ticket == invoice,
                           Message.message_id == "CAKx9vacationZq1@mail.gmail.com")
    assert "olen lomalla" in vacation.body_text.lower()

    bounce = Message.get(Message.ticket == order, Message.sender == "mailer-daemon@mail.yritys.fi")
    assert bounce.body_text.startswith(
        '[Aspa] the reply to vanha.osoite@asiakas.fi ("Re: [#1003] Tilaus 4471") bounced: '
        "550 5.1.1 <vanha.osoite@asiakas.fi>: Recipient address rejected: User unknown in "
        "virtual mailbox table")
    assert ContactPoint.get(ContactPoint.value == "vanha.osoite@asiakas.fi").failing
    assert OutgoingMail.select().count() == 0  # no acknowledgement to a robot
    assert Quarantine.select().count() == 0


def test_auto_reply_and_bounce_without_a_ticket_are_kept_aside_not_queued(
    imap_account: ImapAccount, acking: MailProcessor, worker_for: list[MailboxWorker],
    store: pw.Database,
) -> None:
    for name in ("exchange_oof.eml", "postfix_dsn_headers.eml"):
        imap_account.append((CORPUS / name).read_bytes())
    imap_account.append(plain_mail(sender="Ville <ville@asiakas.fi>",
                                   subject="Out of Office: tervehdys"))
    take_in(imap_account, acking, worker_for, 3)

    assert Ticket.select().count() == 0
    assert len(load_open_tickets()) == 0
    assert OutgoingMail.select().count() == 0
    reasons = sorted(row.reason for row in Quarantine.select())
    assert reasons == sorted([AUTO_REPLY_REASON, AUTO_REPLY_REASON, BOUNCE_REASON])
    assert all(reason.startswith(("auto-reply", "bounce")) for reason in reasons)


def test_a_person_writing_after_an_auto_reply_still_opens_work(
    imap_account: ImapAccount, acking: MailProcessor, worker_for: list[MailboxWorker],
    store: pw.Database,
) -> None:
    imap_account.append((CORPUS / "exchange_oof.eml").read_bytes())
    imap_account.append(plain_mail(sender="Pekka Laine <pekka.laine@asiakas.fi>",
                                   subject="Palasin lomalta: tulostin yhä rikki"))
    take_in(imap_account, acking, worker_for, 2)
    (ticket,) = Ticket.select()
    assert ticket.subject == "Palasin lomalta: tulostin yhä rikki"
    assert len(load_open_tickets()) == 1
    assert OutgoingMail.select().count() == 1  # the person is acknowledged, the robot was not


def test_a_persons_mail_that_only_asks_for_no_auto_reply_still_opens_a_ticket(
    imap_account: ImapAccount, acking: MailProcessor, worker_for: list[MailboxWorker],
    store: pw.Database,
) -> None:
    imap_account.append(plain_mail(sender="Tiina <tiina@asiakas.fi>", subject="Tarjouspyyntö",
                                   extra_headers="X-Auto-Response-Suppress: All\r\n"))
    take_in(imap_account, acking, worker_for, 1)
    (ticket,) = Ticket.select()
    assert ticket.subject == "Tarjouspyyntö" and len(load_open_tickets()) == 1
    assert Quarantine.select().count() == 0
    assert OutgoingMail.select().count() == 0  # as asked: no automatic answer
