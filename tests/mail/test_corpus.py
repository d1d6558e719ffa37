"""Every nasty real-world mail ends as a ticket, a threaded article or a quarantine entry."""

from __future__ import annotations

import peewee as pw
import pytest

from appliance.mail.processing import MailProcessor
from appliance.store.mail_models import MailIntakeRecord
from appliance.store.models import (
    Attachment,
    ContactPoint,
    Customer,
    Message,
    Quarantine,
    Ticket,
)
from tests.mail.conftest import CORPUS
from tests.mail.mail_factory import plain_mail

# What each corpus file must become once ticket #1001 (Liisa's, with our reply
# <reply-1001-1@aspa.example.fi> on it) exists.
EXPECTED = {
    "binary_garbage.eml": "quarantined",
    "broken_base64_attachment.eml": "created",
    "broken_encoded_word.eml": "created",
    "broken_mime_no_closing_boundary.eml": "created",
    "calendar_invite.eml": "created",
    "deep_nesting.eml": "created",
    "dsn_bounce.eml": "threaded",
    "eight_bit_headers.eml": "created",
    "exchange_oof.eml": "threaded",  # onto ticket_1001's reply
    "empty.eml": "quarantined",
    "finnish_qp_iso8859_15.eml": "created",
    "gmail_reply.eml": "threaded",
    "gmail_vacation.eml": "quarantined",  # answers a reply of a ticket that does not exist
    "hostile_attachment_names.eml": "created",
    "html_only_with_script.eml": "created",
    "huge_headers.eml": "created",
    "missing_charset_8bit.eml": "created",
    "multipart_without_boundary.eml": "created",
    "newsletter_bulk.eml": "created",
    "no_message_id.eml": "created",
    "no_sender.eml": "quarantined",
    "nul_bytes_and_bare_cr.eml": "created",
    "outlook_reply.eml": "threaded",
    "outlook_tnef_winmail.eml": "created",
    "own_mail_loop.eml": "quarantined",
    "postfix_dsn_headers.eml": "quarantined",  # the bounced mail is of no known ticket
    "repeated_message_id_first.eml": "created",
    "repeated_message_id_second.eml": "created",  # after the first too: its content differs
    "unknown_charset.eml": "created",
    "vacation_autoreply.eml": "threaded",
    "wrong_charset_latin1_declared_utf8.eml": "created",
}


@pytest.fixture
def ticket_1001(processor: MailProcessor) -> Ticket:
    """Liisa's ticket #1001 with our reply on it, and a contact that will bounce."""
    outcome = processor.process(plain_mail(sender="Liisa Virtanen <liisa@asiakas.fi>",
                                           subject="Tulostin ei toimi",
                                           message_id="<orig-1@asiakas.fi>"), "mail:support")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    assert ticket.number == 1001
    Message.create(ticket=ticket, channel="email", direction="out", sender="tuki@yritys.fi",
                   recipients="liisa@asiakas.fi", subject="[#1001] Tulostin ei toimi",
                   body_text="Käynnistäkää tulostin uudelleen.",
                   message_id="reply-1001-1@aspa.example.fi")
    ContactPoint.create(customer=ticket.customer_id, kind="email", value="poistunut@asiakas.fi")
    return ticket


def read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_every_corpus_file_has_an_expectation() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_mail_ends_as_expected(name: str, processor: MailProcessor,
                                      ticket_1001: Ticket) -> None:
    outcome = processor.process(read(name), "mail:support")
    assert outcome.kind == EXPECTED[name]
    if outcome.kind == "quarantined":
        row = Quarantine.get_by_id(outcome.quarantine_id)
        assert row.reason and row.raw == read(name)
    elif outcome.kind == "threaded":
        assert outcome.ticket_id == ticket_1001.id
    else:
        assert outcome.ticket_id != ticket_1001.id
        assert Message.get_by_id(outcome.message_row_id).ticket_id == outcome.ticket_id
    assert MailIntakeRecord.select().count() == 2  # the setup's mail and this one


def test_whole_corpus_twice_creates_nothing_twice(processor: MailProcessor,
                                                  ticket_1001: Ticket) -> None:
    for name in sorted(EXPECTED):
        processor.process(read(name), "mail:support")
    counts = (Ticket.select().count(), Message.select().count(), Quarantine.select().count())
    again = [processor.process(read(name), "mail:support").kind for name in sorted(EXPECTED)]
    assert set(again) == {"duplicate"}
    assert (Ticket.select().count(), Message.select().count(),
            Quarantine.select().count()) == counts


def test_a_reused_message_id_with_other_content_is_kept_and_its_copy_passed_over(
    processor: MailProcessor, store: pw.Database
) -> None:
    first = processor.process(read("repeated_message_id_first.eml"), "mail:support")
    second = processor.process(read("repeated_message_id_second.eml"), "mail:support")
    assert (first.kind, second.kind) == ("created", "created")
    assert second.reused_message_id and not first.reused_message_id
    again = [processor.process(read(name), "mail:support").kind
             for name in ("repeated_message_id_first.eml", "repeated_message_id_second.eml")]
    assert again == ["duplicate", "duplicate"]
    assert Message.select().count() == 2
    kept = Message.get_by_id(second.message_row_id)
    assert kept.body_text.startswith("[Aspa] Another mail with this Message-ID")


def test_mail_without_message_id_gets_a_stable_synthesised_one(processor: MailProcessor,
                                                               store: pw.Database) -> None:
    first = processor.process(read("no_message_id.eml"), "mail:support")
    again = processor.process(read("no_message_id.eml"), "import:x")
    assert (first.kind, again.kind) == ("created", "duplicate")
    assert str(Message.get().message_id).endswith("@synthesised.aspa.invalid")


def test_finnish_quoted_printable_latin9_is_decoded(processor: MailProcessor,
                                                    store: pw.Database) -> None:
    outcome = processor.process(read("finnish_qp_iso8859_15.eml"), "mail:support")
    message = Message.get_by_id(outcome.message_row_id)
    assert message.subject == "Päivitys epäonnistui €"
    assert "hinta oli 10 €" in message.body_text
    assert Customer.get_by_id(message.ticket.customer_id).name == "Sörkkä Järvinen"


@pytest.mark.parametrize(("name", "text"), [
    ("wrong_charset_latin1_declared_utf8.eml", "Hyvää päivää, tässä on ääkkösiä"),
    ("unknown_charset.eml", "Tämä on utf-8:aa"),
    ("missing_charset_8bit.eml", "ääkköset ovat UTF-8:aa"),
    ("eight_bit_headers.eml", "Otsikossa raakoja UTF-8-tavuja."),
    ("multipart_without_boundary.eml", "one blob of text"),
    ("deep_nesting.eml", "MIME nested deeper than"),
])
def test_text_survives_broken_encodings(name: str, text: str, processor: MailProcessor,
                                        store: pw.Database) -> None:
    outcome = processor.process(read(name), "mail:support")
    assert text in Message.get_by_id(outcome.message_row_id).body_text


def test_eight_bit_headers_are_read_as_utf8(processor: MailProcessor, store: pw.Database) -> None:
    outcome = processor.process(read("eight_bit_headers.eml"), "mail:support")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    assert ticket.subject == "Häiriö sähköpostissa – kiireellinen"
    assert Customer.get_by_id(ticket.customer_id).name == "Jyrki Mäkelä"


def test_html_is_sanitised_and_rendered_as_text(processor: MailProcessor,
                                                store: pw.Database) -> None:
    outcome = processor.process(read("html_only_with_script.eml"), "mail:support")
    message = Message.get_by_id(outcome.message_row_id)
    html = message.body_html or ""
    for bad in ("<script", "onerror", "onclick", "javascript:", "display:none"):
        assert bad not in html
    assert 'href="https://yritys.fi/ohje"' in html
    assert message.body_text.startswith("Hei")
    assert "alert" not in message.body_text


def test_attachment_names_are_made_safe_and_kept(processor: MailProcessor,
                                                 store: pw.Database) -> None:
    outcome = processor.process(read("hostile_attachment_names.eml"), "mail:support")
    names = sorted(a.filename for a in Attachment.select().where(
        Attachment.message == outcome.message_row_id))
    assert names == ["Söpöä tarjous_script_.pdf", "kuva ä.svg", "passwd"]


@pytest.mark.parametrize(("name", "filename", "ctype"), [
    ("outlook_tnef_winmail.eml", "winmail.dat", "application/ms-tnef"),
    ("calendar_invite.eml", "invite.ics", "text/calendar"),
    ("broken_mime_no_closing_boundary.eml", "lasku.pdf", "application/pdf"),
    ("broken_base64_attachment.eml", "kuva.png", "image/png"),
])
def test_special_attachments_are_kept(name: str, filename: str, ctype: str,
                                      processor: MailProcessor, store: pw.Database) -> None:
    outcome = processor.process(read(name), "mail:support")
    attachment = Attachment.get(Attachment.message == outcome.message_row_id)
    assert (attachment.filename, attachment.content_type) == (filename, ctype)


def test_huge_headers_fit_the_store(processor: MailProcessor, store: pw.Database) -> None:
    outcome = processor.process(read("huge_headers.eml"), "mail:support")
    ticket = Ticket.get_by_id(outcome.ticket_id)
    assert ticket.subject.startswith("Pitkä otsikko") and len(ticket.subject) <= 500


def test_nul_bytes_never_reach_the_store(processor: MailProcessor, store: pw.Database) -> None:
    outcome = processor.process(read("nul_bytes_and_bare_cr.eml"), "mail:support")
    message = Message.get_by_id(outcome.message_row_id)
    assert "\x00" not in message.subject + message.body_text
