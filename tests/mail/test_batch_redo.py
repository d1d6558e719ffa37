"""A batch is written without a savepoint per mail; one mail failing on its data makes the
batch be written again with savepoints: that mail quarantined, the others stored once."""

from __future__ import annotations

import peewee as pw

from appliance.events import Event, Quarantined, TicketCreated
from appliance.mail.article_writer import WriteOutcome
from appliance.mail.imap_client import ImapSession
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.models import MailIntakeRecord
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.mail.settings import MailboxSettings
from appliance.store.errors import InvalidInput
from appliance.store.models import Customer, MailboxState, Message, Quarantine, Ticket
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import ImapAccount


def refuse_broken(mail: ParsedMail, outcome: WriteOutcome) -> None:
    """Stands for a write the mail's own data breaks, after its rows went in."""
    if mail.subject == "rikki":
        raise InvalidInput("this mail's data cannot be stored")


def test_a_failing_mail_is_quarantined_and_its_batch_is_stored_once(
    imap_account: ImapAccount, ctx: IntakeContext, store: pw.Database
) -> None:
    subjects = ["ensimmäinen", "toinen", "rikki", "neljäs"]
    for n, subject in enumerate(subjects):
        imap_account.append(plain_mail(subject=subject, sender=f"Asiakas <a{n}@asiakas.fi>"))
    settings = MailboxSettings(name="support", host=imap_account.host, port=imap_account.port,
                               security="none", user=imap_account.user,
                               password=imap_account.password)
    events: list[Event] = []
    worker = MailboxWorker(settings, MailProcessor(ctx, after_write=refuse_broken),
                           events.append)
    session = ImapSession(settings, imap_account.password)
    session.connect()
    try:
        assert worker.sync(session) == 4
    finally:
        session.close()
    # The rows of the first attempt were rolled back: nothing twice, "rikki" nowhere but
    # in quarantine, its customer row not left behind either.
    assert sorted(t.subject for t in Ticket.select()) == ["ensimmäinen", "neljäs", "toinen"]
    assert Message.select().count() == 3
    assert Customer.select().count() == 3
    (kept,) = Quarantine.select()
    assert kept.reason.startswith("store: InvalidInput") and b"Subject: rikki" in kept.raw
    assert MailIntakeRecord.select().count() == 4
    assert MailboxState.get().last_uid == 4
    assert sum(isinstance(e, TicketCreated) for e in events) == 3
    assert sum(isinstance(e, Quarantined) for e in events) == 1
