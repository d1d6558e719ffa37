"""Mail identity against a real Dovecot: a reused Message-ID cannot hide a mail, a copy is one mail.

Each test puts the mails in the mailbox, takes the mailbox in once (as the daemon's
intake does on every sync) and then once more from a fresh UIDVALIDITY-less start,
and counts what the store holds.
"""

from __future__ import annotations

import logging

import peewee as pw
import pytest

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.imap_client import ImapSession
from appliance.mail.mailbox_worker import MailboxWorker
from appliance.mail.processing import MailProcessor
from appliance.store.mail_models import MailIntakeRecord
from appliance.store.models import MailboxState, Message, Quarantine, Ticket
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import ImapAccount


def take_in(account: ImapAccount, processor: MailProcessor) -> None:
    """One sync of the mailbox, as the daemon's intake runs it."""
    settings = MailboxSettings(name="support", host=account.host, port=account.port,
                               security="none", user=account.user, password=account.password)
    worker = MailboxWorker(settings, processor, lambda event: None)
    session = ImapSession(settings, account.password)
    session.connect()
    try:
        worker.sync(session)
    finally:
        session.close()


def take_in_again_from_the_start(account: ImapAccount, processor: MailProcessor) -> None:
    """Forget the mailbox position, as after a restore, so every mail is fetched again."""
    MailboxState.delete().execute()
    take_in(account, processor)


def relayed(raw: bytes, hop: str) -> bytes:
    """The same mail as another server delivered it: its own trace headers in front."""
    trace = (f"Return-Path: <bounce@{hop}>\r\nDelivered-To: tuki@yritys.fi\r\n"
             f"Received: from {hop} (mx.{hop} [192.0.2.7])\r\n\tby mail.yritys.fi with ESMTPS"
             f" id {hop}; Mon, 05 Jan 2026 09:00:0{len(hop) % 10} +0200\r\n")
    return trace.encode() + raw


def multipart_without_sender_or_subject(attachment: str) -> bytes:
    """Three parts, no Message-ID, From or Subject: what a scanner sends; only Return-Path."""
    return (
        "Return-Path: <skanneri@toimisto.fi>\r\nTo: tuki@yritys.fi\r\n"
        "Date: Mon, 05 Jan 2026 09:00:00 +0200\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="raja"\r\n\r\n'
        "--raja\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSkannattu asiakirja.\r\n"
        "--raja\r\nContent-Type: application/pdf; name=skannaus.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{attachment}\r\n"
        "--raja\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLaite: MFP-1\r\n"
        "--raja--\r\n").encode()


def test_a_second_mail_with_a_known_message_id_is_kept_and_logged(
    imap_account: ImapAccount, processor: MailProcessor, store: pw.Database,
    caplog: pytest.LogCaptureFixture
) -> None:
    imap_account.append(plain_mail(subject="Tilaus 1", body="Tilaan kolme tulostinta.",
                                   message_id="<lomake@verkkokauppa.fi>"))
    imap_account.append(plain_mail(subject="Tilaus 2", body="Peruutan tilauksen.",
                                   message_id="<lomake@verkkokauppa.fi>"))
    with caplog.at_level(logging.WARNING, logger="aspa.mail.writer"):
        take_in(imap_account, processor)

    assert sorted(t.subject for t in Ticket.select()) == ["Tilaus 1", "Tilaus 2"]
    kept = Message.get(Message.subject == "Tilaus 2")
    assert kept.message_id == "lomake@verkkokauppa.fi"
    assert "Peruutan tilauksen." in kept.body_text
    assert "Another mail with this Message-ID was taken in before (ticket #1001)" in (
        kept.body_text)
    (line,) = [r.getMessage() for r in caplog.records if "reuses Message-ID" in r.getMessage()]
    assert "<lomake@verkkokauppa.fi>" in line and "(ticket #1001)" in line
    assert "kept, message" in line

    # Both are recognised when fetched again: neither is taken in twice.
    caplog.clear()
    take_in_again_from_the_start(imap_account, processor)
    assert Message.select().count() == 2 and MailIntakeRecord.select().count() == 2
    assert not [r for r in caplog.records if "reuses Message-ID" in r.getMessage()]


def test_a_true_duplicate_delivered_by_another_route_is_passed_over(
    imap_account: ImapAccount, processor: MailProcessor, store: pw.Database
) -> None:
    raw = plain_mail(subject="Näyttö pimeänä", message_id="<kopio@asiakas.fi>")
    imap_account.append(relayed(raw, "asiakas.fi"))
    imap_account.append(relayed(raw, "varareitti.fi"))  # the same mail by the backup MX
    raw_lf = raw.replace(b"\r\n", b"\n")
    imap_account.append(relayed(raw_lf, "kolmas.fi"))  # and once with bare line feeds
    take_in(imap_account, processor)

    assert Ticket.select().count() == Message.select().count() == 1
    assert MailIntakeRecord.select().count() == 1
    assert MailboxState.get().last_uid == 3  # the copies were read and passed over


def test_two_different_multipart_mails_without_message_id_are_both_kept(
    imap_account: ImapAccount, processor: MailProcessor, store: pw.Database
) -> None:
    imap_account.append(multipart_without_sender_or_subject("JVBERi0xLjQKJeLjz9MK"))
    imap_account.append(multipart_without_sender_or_subject("JVBERi0xLjcKJcOkw7zDtsOfCg=="))
    # the first one again, as a second delivery: the only copy that is passed over
    imap_account.append(relayed(multipart_without_sender_or_subject("JVBERi0xLjQKJeLjz9MK"),
                                "toimisto.fi"))
    take_in(imap_account, processor)

    kept = Message.select().count() + Quarantine.select().count()
    assert kept == 2
    ids = {str(m.message_id) for m in Message.select()}
    assert len(ids) == Message.select().count()
    assert all(i.endswith("@synthesised.aspa.invalid") for i in ids)
    take_in_again_from_the_start(imap_account, processor)
    assert Message.select().count() + Quarantine.select().count() == 2
