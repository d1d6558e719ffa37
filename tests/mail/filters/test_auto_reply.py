"""auto_reply: the headers that mark automatic and bulk mail, and the ones that do not."""

from __future__ import annotations

import pytest

from appliance.mail.filters import auto_reply, parse
from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from tests.mail.mail_factory import plain_mail


def annotated(extra: str, ctx: IntakeContext, subject: str = "Kysymys") -> ParsedMail:
    mail = ParsedMail(raw=plain_mail(extra_headers=extra, subject=subject), source="t")
    parse.run(mail, ctx)
    auto_reply.run(mail, ctx)
    return mail


@pytest.mark.parametrize("header", [
    "Auto-Submitted: auto-replied\r\n",
    "Auto-Submitted: auto-generated\r\n",
    "X-Autoreply: yes\r\n",
    "X-Autorespond: vacation\r\n",
    "X-Auto-Response-Suppress: All\r\n",
    "X-Auto-Response-Suppress: DR, OOF, AutoReply\r\n",
    "Precedence: auto_reply\r\n",
])
def test_automatic_reply_headers_are_recognised(header: str, ctx: IntakeContext) -> None:
    mail = annotated(header, ctx)
    assert mail.is_auto_reply and mail.is_automatic


@pytest.mark.parametrize("header", [
    "Precedence: bulk\r\n", "Precedence: list\r\n", "Precedence: junk\r\n",
    "List-Id: <news.example.fi>\r\n", "List-Unsubscribe: <mailto:u@example.fi>\r\n",
])
def test_bulk_headers_are_recognised(header: str, ctx: IntakeContext) -> None:
    mail = annotated(header, ctx)
    assert mail.is_bulk and not mail.is_auto_reply


@pytest.mark.parametrize("header", ["", "Auto-Submitted: no\r\n", "Precedence: first-class\r\n"])
def test_a_person_writing_is_not_automatic(header: str, ctx: IntakeContext) -> None:
    mail = annotated(header, ctx)
    assert not mail.is_automatic


def test_the_finnish_word_auto_in_a_subject_is_a_car_not_a_robot(ctx: IntakeContext) -> None:
    assert not annotated("", ctx, subject="Auto: jarrut vinkuvat").is_auto_reply
    assert annotated("", ctx, subject="Automaattinen vastaus: lomalla").is_auto_reply
