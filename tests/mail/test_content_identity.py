"""The content hash behind mail identity: every byte but transport headers and line endings."""

from __future__ import annotations

import peewee as pw

from appliance.mail.content_identity import content_hash
from appliance.mail.ledger_slot import ledger_key
from appliance.mail.processing import MailProcessor
from appliance.store.mail_models import MailIntakeRecord
from appliance.store.models import Message
from tests.mail.mail_factory import plain_mail

MAIL = plain_mail(message_id=None, body="Hei,\n\nliitteenä lasku.")


def test_trace_headers_and_line_endings_do_not_change_the_hash() -> None:
    traced = (b"Received: from mx.asiakas.fi\r\n\tby mail.yritys.fi; Mon, 5 Jan 2026\r\n"
              b"Delivered-To: tuki@yritys.fi\r\nX-Spam-Score: 0.1\r\n" + MAIL)
    assert content_hash(traced) == content_hash(MAIL) == content_hash(MAIL.replace(b"\r\n", b"\n"))


def test_any_sender_header_or_body_byte_changes_the_hash() -> None:
    assert content_hash(MAIL.replace(b"lasku", b"laskut")) != content_hash(MAIL)
    assert content_hash(b"X-Mailer: toinen\r\n" + MAIL) != content_hash(MAIL)
    assert content_hash(MAIL.replace(b"To: tuki", b"To: myynti")) != content_hash(MAIL)


def test_a_mail_recorded_before_content_hashes_is_still_known_by_its_old_stand_in(
    processor: MailProcessor, store: pw.Database
) -> None:
    mail = processor.filtered(MAIL, "mail:support")
    assert mail.message_id_synthesised and mail.earlier_dedupe_key != mail.message_id
    MailIntakeRecord.create(key=ledger_key(mail.earlier_dedupe_key),
                            rfc_message_id=mail.earlier_dedupe_key, source="mail:support",
                            outcome="created", content_hash=None)
    assert processor.process(MAIL, "mail:support").kind == "duplicate"
    assert Message.select().count() == 0


def test_a_row_from_before_content_hashes_counts_its_message_id_as_one_mail(
    processor: MailProcessor, store: pw.Database
) -> None:
    raw = plain_mail(message_id="<vanha@asiakas.fi>")
    MailIntakeRecord.create(key=ledger_key("vanha@asiakas.fi"), rfc_message_id="vanha@asiakas.fi",
                            source="mail:support", outcome="created", content_hash=None)
    assert processor.process(raw, "mail:support").kind == "duplicate"
