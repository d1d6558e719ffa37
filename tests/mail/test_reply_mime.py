"""A reply's MIME: text and HTML alternatives with the same words, files after them, copies,
threading, the signature and the box's words in the customer's language."""

from __future__ import annotations

import email
import email.policy
import html
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.html_text import html_to_text
from appliance.mail.outgoing_message import compose
from appliance.mail.processing import MailProcessor
from appliance.mail.replies import queue_draft
from appliance.mail.text_to_html import html_from_text
from appliance.ports.mail_desk import ReplyDraft
from appliance.spine.clock import ManualClock
from appliance.store.models import Attachment, Customer, Message, Ticket
from appliance.tickets.reply_files import ReplyFile
from tests.mail.mail_factory import plain_mail

NOW = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
SETTINGS = SmtpSettings(host="127.0.0.1", from_address="tuki@yritys.fi", from_name="Yritys Oy",
                        domain="yritys.fi")
HELSINKI = ZoneInfo("Europe/Helsinki")


def _parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_text_html_and_files_in_their_parts() -> None:
    files = [ReplyFile("lasku.pdf", "application/pdf", b"%PDF-1.4 x"),
             ReplyFile("hinnasto €.csv", "text/csv", b"a;b\n1;2\n")]
    composed = compose(ticket_number=7, from_address="tuki@yritys.fi", from_name="Anna via Yritys",
                       to=["liisa@asiakas.fi"], cc=["pekka@asiakas.fi", "eeva@muu.fi"],
                       subject="Lasku", body_text="Hei!\n\nLiitteenä lasku.", domain="yritys.fi",
                       now=NOW, html="<p>Hei!</p><p>Liitteenä lasku.</p>", files=files,
                       in_reply_to="m1@asiakas.fi", references=["m0@asiakas.fi"])
    msg = _parsed(composed.raw)
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attached = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain",
                                                                         "text/html"]
    assert [(a.get_filename(), a.get_content_type()) for a in attached] == [
        ("lasku.pdf", "application/pdf"), ("hinnasto €.csv", "text/csv")]
    assert attached[0].get_content() == b"%PDF-1.4 x"
    assert all(a.get_content_disposition() == "attachment" for a in attached)
    assert msg["Cc"] == "pekka@asiakas.fi, eeva@muu.fi"
    assert msg["To"] == "liisa@asiakas.fi"
    assert msg["In-Reply-To"] == "<m1@asiakas.fi>"
    assert msg["References"] == "<m0@asiakas.fi> <m1@asiakas.fi>"
    assert msg["From"] == "Anna via Yritys <tuki@yritys.fi>"


def test_html_is_made_from_the_text_and_never_runs_what_was_typed() -> None:
    typed = ('Hei <script>alert(1)</script> & "ystävät"!\n\nKatso https://yritys.fi/ohje?a=1&b=2.'
             "\nTai kirjoita tuki@yritys.fi\n\n> lainattu rivi\n> <img src=x onerror=alert(1)>")
    markup = html_from_text(typed, "fi")
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert '<a href="https://yritys.fi/ohje?a=1&amp;b=2">' in markup  # the full stop left out
    assert '<a href="mailto:tuki@yritys.fi">' in markup
    assert "<blockquote" in markup and "<p>" in markup and "<br>" in markup
    assert _words(html_to_text(markup)) == _words(typed)


async def test_a_queued_reply_is_signed_quoted_and_worded_for_the_customer(
    processor: MailProcessor, clock: ManualClock, store: pw.Database, tmp_path: Path
) -> None:
    raw = plain_mail(sender="Liisa <liisa@asiakas.fi>", subject="Printer",
                     message_id="<orig-1@asiakas.fi>", body="The printer jams.\n\nLiisa")
    ticket = Ticket.get_by_id(processor.process(raw, "mail:support").ticket_id)
    Customer.update(language="en", name="Liisa Lehto").execute()
    draft = ReplyDraft(body="Please restart it.", author_id=None, sender_name="Anna",
                       signature="", cc=("pekka@asiakas.fi",),
                       files=(ReplyFile("ohje.txt", "text/plain", b"1. off\n2. on\n"),),
                       box_language="fi", zone=HELSINKI)
    row = queue_draft(ticket.id, draft, settings=SETTINGS, clock=clock,
                      attachments=tmp_path / "attachments")
    msg = _parsed(bytes(row.content))
    plain = msg.get_body(("plain",))
    rich = msg.get_body(("html",))
    assert plain is not None and rich is not None
    text = plain.get_content().replace("\r\n", "\n")
    assert text.startswith("Please restart it.\n\nBest regards\nAnna\n\nOn ")
    assert "Liisa Lehto wrote:\n> The printer jams.\n>\n> Liisa" in text
    assert _words(html_to_text(rich.get_content())) == _words(text)
    assert msg["From"] == "Anna via Yritys Oy <tuki@yritys.fi>"
    assert msg["Cc"] == "pekka@asiakas.fi" and msg["In-Reply-To"] == "<orig-1@asiakas.fi>"
    assert row.recipients == "liisa@asiakas.fi, pekka@asiakas.fi"
    stored = Message.get(Message.message_id == row.rfc_message_id)
    assert stored.body_text == "Please restart it.\n\nBest regards\nAnna"  # the quote is not kept
    [kept] = Attachment.select().where(Attachment.message == stored.id)
    assert (kept.filename, kept.size) == ("ohje.txt", 13)
    assert (tmp_path / "attachments" / kept.sha256[:2] / kept.sha256).read_bytes() == (
        b"1. off\n2. on\n")


async def test_the_box_language_without_a_known_one_and_the_agents_signature(
    processor: MailProcessor, clock: ManualClock, store: pw.Database
) -> None:
    raw = plain_mail(sender="liisa@asiakas.fi", subject="Tulostin",
                     message_id="<orig-2@asiakas.fi>", body="Tulostin jumittaa.")
    ticket = Ticket.get_by_id(processor.process(raw, "mail:support").ticket_id)
    draft = ReplyDraft(body="Käynnistäkää se uudelleen.", sender_name="Anna Agentti",
                       signature="Anna Agentti\nYritys Oy, asiakastuki\n<puh. 09 123>",
                       box_language="fi", zone=HELSINKI)
    row = queue_draft(ticket.id, draft, settings=SETTINGS.__class__(
        **{**SETTINGS.__dict__, "sender_format": "{office}"}), clock=clock)
    msg = _parsed(bytes(row.content))
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert text.startswith("Käynnistäkää se uudelleen.\n\n-- \nAnna Agentti\nYritys Oy, "
                           "asiakastuki\n<puh. 09 123>\n\nliisa@asiakas.fi kirjoitti ")
    assert " klo " in text and "> Tulostin jumittaa." in text
    rich = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;puh. 09 123&gt;" in rich and 'lang="fi"' in rich
    assert html.unescape("&lt;puh. 09 123&gt;") in text
    assert msg["From"] == "Yritys Oy <tuki@yritys.fi>"
    assert msg.get_content_type() == "multipart/alternative"  # no files: no mixed part


def test_the_offices_sender_format(tmp_path: Path) -> None:
    from appliance.config.aspa_toml import ConfigError, config_from_mapping

    office = SmtpSettings(from_name="Yritys Oy")
    assert office.shown_sender("Anna") == "Anna via Yritys Oy"
    assert SmtpSettings(from_name="Yritys Oy", sender_format="{office}").shown_sender(
        "Anna") == "Yritys Oy"
    assert SmtpSettings(from_name="Yritys Oy", sender_format="{agent} / {office}").shown_sender(
        "Anna") == "Anna / Yritys Oy"
    assert SmtpSettings().shown_sender("Anna") == "Anna"
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"data_dir": str(tmp_path), "mail": {"smtp": {
            "sender_format": "{name} at {office}", "attachments_max_mb": 500}}}, tmp_path)
    assert caught.value.problems == [
        "mail.smtp.sender_format: may use only {agent} and {office}, not '{name} at {office}'",
        "mail.smtp.attachments_max_mb: must be at most 50, not 500.0"]
