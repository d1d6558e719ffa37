"""parse: addresses, dates, references and bodies, from well-formed and broken mail."""

from __future__ import annotations

from datetime import UTC, datetime

from appliance.mail.filters import parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from tests.mail.mail_factory import plain_mail


def parsed(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    mail = ParsedMail(raw=raw, source="t")
    parse.run(mail, ctx)
    return mail


def test_headers_are_read(ctx: IntakeContext) -> None:
    raw = plain_mail(
        sender='"Virtanen, Liisa" <Liisa@Asiakas.FI>',
        to="tuki@yritys.fi, Myynti <myynti@yritys.fi>",
        message_id="<abc@asiakas.fi>",
        extra_headers="Cc: pomo@asiakas.fi\r\nIn-Reply-To: <p1@x.fi>\r\nReferences: <r0@x.fi>\r\n"
                      "\t<p1@x.fi>\r\n")
    mail = parsed(raw, ctx)
    assert (mail.from_name, mail.from_address) == ("Virtanen, Liisa", "liisa@asiakas.fi")
    assert mail.to == ["tuki@yritys.fi", "myynti@yritys.fi"] and mail.cc == ["pomo@asiakas.fi"]
    assert mail.message_id == "abc@asiakas.fi" and not mail.message_id_synthesised
    assert mail.in_reply_to == ["p1@x.fi"] and mail.references == ["r0@x.fi", "p1@x.fi"]
    assert mail.date == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def test_unreadable_date_is_none(ctx: IntakeContext) -> None:
    assert parsed(plain_mail(date="eilen iltapäivällä"), ctx).date is None


def test_synthesised_message_id_depends_on_content(ctx: IntakeContext) -> None:
    a = parsed(plain_mail(message_id=None, body="yksi"), ctx)
    b = parsed(plain_mail(message_id=None, body="kaksi"), ctx)
    again = parsed(plain_mail(message_id=None, body="yksi"), ctx)
    assert a.message_id_synthesised and a.message_id == again.message_id != b.message_id


def test_mails_whose_broken_bodies_read_alike_get_different_synthesised_ids(
    ctx: IntakeContext
) -> None:
    head = (b"From: <@>\r\nSubject: Apua\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n")
    # invalid characters are skipped when the base64 is read: both bodies read as "hei"
    a = parsed(head + b"aGVp%%\r\n", ctx)
    b = parsed(head + b"%%aGVp\r\n", ctx)
    again = parsed(head + b"aGVp%%\r\n", ctx)
    assert a.text == b.text
    assert a.message_id_synthesised and a.message_id == again.message_id != b.message_id


def test_html_only_mail_gets_a_text_rendering(ctx: IntakeContext) -> None:
    raw = (b"From: a@b.fi\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           b"<p>Rivi 1</p><p>Rivi&nbsp;2 &amp; &auml;</p><br>loppu")
    mail = parsed(raw, ctx)
    assert mail.text == "Rivi 1\nRivi 2 & ä\n\nloppu"


def test_sender_falls_back_to_sender_header(ctx: IntakeContext) -> None:
    raw = b"Sender: lahettaja@asiakas.fi\r\nSubject: x\r\n\r\nbody"
    assert parsed(raw, ctx).from_address == "lahettaja@asiakas.fi"
