"""own_loop: mail Aspa sent, coming back, is held back instead of making a ticket."""

from __future__ import annotations

from appliance.mail.filters import own_loop, parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from tests.mail.conftest import OWN_DOMAIN
from tests.mail.mail_factory import plain_mail


def annotated(raw: bytes, ctx: IntakeContext) -> ParsedMail:
    mail = ParsedMail(raw=raw, source="t")
    parse.run(mail, ctx)
    own_loop.run(mail, ctx)
    return mail


def test_our_message_id_domain_is_a_loop(ctx: IntakeContext) -> None:
    mail = annotated(plain_mail(message_id=f"<ack-1.abc@{OWN_DOMAIN}>"), ctx)
    assert mail.is_own_loop and "came back" in mail.quarantine_reason


def test_our_loop_header_is_a_loop(ctx: IntakeContext) -> None:
    mail = annotated(plain_mail(extra_headers="X-Aspa-Loop: 1001\r\n"), ctx)
    assert mail.is_own_loop


def test_a_customers_mail_is_no_loop(ctx: IntakeContext) -> None:
    mail = annotated(plain_mail(message_id="<x@asiakas.fi>"), ctx)
    assert not mail.is_own_loop and not mail.quarantine_reason
