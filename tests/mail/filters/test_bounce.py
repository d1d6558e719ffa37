"""bounce: delivery status notifications and mailer-daemon mail, failed recipients."""

from __future__ import annotations

import re

from appliance.mail.filters import bounce, parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail


def annotated(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    mail = ParsedMail(raw=raw, source="t")
    parse.run(mail, ctx)
    bounce.run(mail, ctx)
    return mail


def test_dsn_gives_the_failed_recipient_and_the_original_message_id(ctx: IntakeContext) -> None:
    mail = annotated((CORPUS / "dsn_bounce.eml").read_bytes(), ctx)
    assert mail.is_bounce
    assert mail.failed_recipients == ["poistunut@asiakas.fi"]
    assert "reply-1001-1@aspa.example.fi" in mail.in_reply_to


def test_delayed_delivery_is_a_bounce_without_failed_recipients(ctx: IntakeContext) -> None:
    raw = (CORPUS / "dsn_bounce.eml").read_bytes().replace(b"Action: failed", b"Action: delayed")
    mail = annotated(raw, ctx)
    assert mail.is_bounce and mail.failed_recipients == []


def test_postmaster_mail_without_report_is_a_bounce(ctx: IntakeContext) -> None:
    raw = plain_mail(sender="postmaster@mx.example.fi",
                     body="Delivery failed.\n\nMessage-ID: <ours-5@aspa.example.fi>\n")
    mail = annotated(raw, ctx)
    assert mail.is_bounce and mail.in_reply_to == ["ours-5@aspa.example.fi"]


def test_ordinary_mail_is_no_bounce(ctx: IntakeContext) -> None:
    assert not annotated(plain_mail(), ctx).is_bounce


def test_dsn_note_names_the_reply_that_bounced_and_why(ctx: IntakeContext) -> None:
    mail = annotated((CORPUS / "dsn_bounce.eml").read_bytes(), ctx)
    assert mail.notes == ['the reply to poistunut@asiakas.fi ("[#1001] Tulostin ei toimi") '
                          "bounced: 550 5.1.1 User unknown"]


def test_postfix_report_with_headers_only_threads_by_their_message_id(
        ctx: IntakeContext) -> None:
    mail = annotated((CORPUS / "postfix_dsn_headers.eml").read_bytes(), ctx)
    assert mail.in_reply_to == ["reply-1003-1@aspa.example.fi"]
    assert mail.failed_recipients == ["vanha.osoite@asiakas.fi"]
    assert mail.notes[0].endswith("User unknown in virtual mailbox table")


def test_a_failure_without_diagnostic_gives_its_status(ctx: IntakeContext) -> None:
    raw = re.sub(rb"Diagnostic-Code: [^\r\n]*\r?\n", b"",
                 (CORPUS / "dsn_bounce.eml").read_bytes())
    mail = annotated(raw, ctx)
    assert mail.notes[0].endswith("bounced: status 5.1.1")


def test_delayed_delivery_note_says_it_is_not_final(ctx: IntakeContext) -> None:
    raw = (CORPUS / "dsn_bounce.eml").read_bytes().replace(b"Action: failed", b"Action: delayed")
    assert "not (yet) a permanent failure" in annotated(raw, ctx).notes[0]
