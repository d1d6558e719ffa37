"""size_cap: oversize mail keeps its headers and gets a note; the rest is untouched."""

from __future__ import annotations

from dataclasses import replace

import peewee as pw

from appliance.mail.filters import size_cap
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.mail.processing import MailProcessor
from appliance.store.models import Message
from tests.mail.mail_factory import plain_mail


def test_small_mail_passes(ctx: IntakeContext) -> None:
    raw = plain_mail()
    mail = ParsedMail(raw=raw, source="t")
    size_cap.run(mail, ctx)
    assert not mail.oversize and mail.raw == raw and not mail.notes


def test_oversize_mail_becomes_a_ticket_with_its_headers_and_a_note(
    ctx: IntakeContext, store: pw.Database
) -> None:
    small_cap = replace(ctx, size_cap_bytes=1000)
    raw = plain_mail(subject="Iso liite", body="x" * 5000)
    outcome = MailProcessor(small_cap).process(raw, "mail:support")
    message = Message.get_by_id(outcome.message_row_id)
    assert message.subject == "Iso liite"
    assert "over the 0 MB cap" in message.body_text and "x" * 100 not in message.body_text


def test_headers_only_fetch_of_an_oversize_mail_is_understood(ctx: IntakeContext) -> None:
    header = plain_mail(body="").split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    mail = ParsedMail(raw=header, source="t", size=ctx.size_cap_bytes + 1, headers_only=True)
    size_cap.run(mail, ctx)
    assert mail.oversize and mail.raw == header and "MB" in mail.notes[0]
