"""A batch is written without a savepoint per mail; one mail failing on its data makes the
batch be written again with savepoints: that mail quarantined, the others stored once
(parsed in the mailbox thread or in the parsing process alike)."""

from __future__ import annotations

import peewee as pw

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.article_writer import WriteOutcome
from appliance.mail.imap_client import ImapSession
from appliance.mail.intake_context import IntakeContext
from appliance.mail.mailbox_worker import POOL_MIN_GROUP_MAILS, MailboxWorker
from appliance.mail.parse_pool import ParsePool
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.spine.events import Event, Quarantined, TicketCreated
from appliance.store.errors import InvalidInput
from appliance.store.mail_models import MailIntakeRecord
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


def test_with_the_parsing_process_a_failing_mail_is_quarantined_and_the_rest_stored_once(
    imap_account: ImapAccount, ctx: IntakeContext, store: pw.Database
) -> None:
    # Enough mails for the second process to take the group; the pooled batch is written
    # without savepoints too, and written again from the raw bytes when one mail fails.
    count = POOL_MIN_GROUP_MAILS + 5
    subjects = [f"viesti {n}" for n in range(count)]
    subjects[7] = "rikki"
    for n, subject in enumerate(subjects):
        imap_account.append(plain_mail(subject=subject, sender=f"Asiakas <a{n}@asiakas.fi>"))
    settings = MailboxSettings(name="support", host=imap_account.host, port=imap_account.port,
                               security="none", user=imap_account.user,
                               password=imap_account.password)
    events: list[Event] = []
    pool = ParsePool(ctx)
    worker = MailboxWorker(settings, MailProcessor(ctx, after_write=refuse_broken),
                           events.append, parse_pool=pool)
    session = ImapSession(settings, imap_account.password)
    session.connect()
    try:
        assert worker.sync(session) == count
        assert pool._process is not None and pool._process.alive  # the process parsed them
    finally:
        session.close()
        pool.close()
    assert sorted(t.subject for t in Ticket.select()) == sorted(s for s in subjects
                                                                if s != "rikki")
    assert Message.select().count() == Customer.select().count() == count - 1
    (kept,) = Quarantine.select()
    assert kept.reason.startswith("store: InvalidInput") and b"Subject: rikki" in kept.raw
    assert MailIntakeRecord.select().count() == count
    assert MailboxState.get().last_uid == count
    assert sum(isinstance(e, TicketCreated) for e in events) == count - 1
    assert sum(isinstance(e, Quarantined) for e in events) == 1
