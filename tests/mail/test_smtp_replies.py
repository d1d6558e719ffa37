"""Replies and the outbox against a real SMTP server: headers, TLS-less auth, refusals, retries."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

import peewee as pw
import pytest

from appliance.config.sections.mail import SmtpSettings
from appliance.mail import smtp_sender
from appliance.mail.errors import SmtpError
from appliance.mail.outbox_sender import OutboxSender, waiting_counts
from appliance.mail.processing import MailProcessor
from appliance.mail.replies import queue_reply
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, HealthChanged
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import Message, Ticket
from tests.mail.mail_factory import plain_mail
from tests.peers.smtp import SmtpFactory, SmtpServer

DOMAIN = "aspa.example.fi"


def smtp_settings(server: SmtpServer, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = dict(host=server.host, port=server.port, security="none",
                                     from_address="tuki@yritys.fi", domain=DOMAIN)
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def ticket(processor: MailProcessor) -> Ticket:
    raw = plain_mail(sender="Liisa <liisa@asiakas.fi>", subject="Tulostin ei toimi",
                     message_id="<orig-1@asiakas.fi>")
    return Ticket.get_by_id(processor.process(raw, "mail:support").ticket_id)


async def test_reply_carries_threading_headers_and_the_ticket_tag(
    ticket: Ticket, smtp_server: SmtpServer, clock: ManualClock
) -> None:
    settings = smtp_settings(smtp_server)
    row = queue_reply(ticket.id, "Käynnistäkää tulostin uudelleen.", settings=settings,
                      clock=clock)
    events: list[Event] = []
    assert await OutboxSender(settings, events.append, clock).send_due() == 1
    (received,) = smtp_server.wait_for_messages(1)
    mail = received.parsed()
    assert received.rcpt_tos == ("liisa@asiakas.fi",)
    assert mail["Subject"] == "Re: [#1001] Tulostin ei toimi"
    assert mail["In-Reply-To"] == "<orig-1@asiakas.fi>"
    assert mail["Message-ID"] == f"<{row.rfc_message_id}>"
    assert row.rfc_message_id.endswith("@" + DOMAIN)
    assert "Auto-Submitted" not in mail
    assert "Käynnistäkää" in mail.get_body(("plain",)).get_content()
    stored = Message.get(Message.message_id == row.rfc_message_id)
    assert stored.direction == "out" and stored.ticket_id == ticket.id
    assert OutgoingMail.get_by_id(row.id).state == "sent"


async def test_customer_answer_to_our_reply_threads_onto_the_ticket(
    ticket: Ticket, smtp_server: SmtpServer, clock: ManualClock, processor: MailProcessor
) -> None:
    row = queue_reply(ticket.id, "Kokeilkaa nyt.", settings=smtp_settings(smtp_server),
                      clock=clock)
    answer = plain_mail(sender="liisa@asiakas.fi", subject="Re: [#1001] Tulostin ei toimi",
                        extra_headers=f"In-Reply-To: <{row.rfc_message_id}>\r\n")
    outcome = processor.process(answer, "mail:support")
    assert (outcome.kind, outcome.ticket_id) == ("threaded", ticket.id)


async def test_login_is_used_when_configured(
    ticket: Ticket, make_smtp_server: SmtpFactory, clock: ManualClock
) -> None:
    server = make_smtp_server("aspa", "salasana")
    settings = smtp_settings(server, user="aspa", password="salasana")
    queue_reply(ticket.id, "Hei", settings=settings, clock=clock)
    assert await OutboxSender(settings, lambda e: None, clock).send_due() == 1
    assert server.wait_for_messages(1)[0].login == "aspa"


async def test_temporary_refusal_is_retried_later_and_visible_meanwhile(
    ticket: Ticket, smtp_server: SmtpServer, clock: ManualClock
) -> None:
    settings = smtp_settings(smtp_server)
    row = queue_reply(ticket.id, "Hei", settings=settings, clock=clock)
    smtp_server.refuse(451, times=1)
    events: list[Event] = []
    sender = OutboxSender(settings, events.append, clock)
    assert await sender.send_due() == 0
    waiting = OutgoingMail.get_by_id(row.id)
    assert (waiting.state, waiting.attempts) == ("pending", 1)
    assert "451" in (waiting.last_error or "")
    assert waiting_counts()["pending"] == 1
    assert [(e.ok, e.part) for e in events if isinstance(e, HealthChanged)] == [
        (False, "mail:smtp")]
    assert await sender.send_due() == 0  # not due yet: the clock has not moved
    clock.advance(timedelta(minutes=1))
    assert await sender.send_due() == 1
    assert OutgoingMail.get_by_id(row.id).state == "sent"
    assert events[-1] == HealthChanged(at=clock.now(), part="mail:smtp", ok=True,
                                       detail="sending", event_id=events[-1].event_id)


async def test_permanent_refusal_is_kept_as_refused_not_dropped(
    ticket: Ticket, smtp_server: SmtpServer, clock: ManualClock
) -> None:
    settings = smtp_settings(smtp_server)
    row = queue_reply(ticket.id, "Hei", settings=settings, clock=clock)
    smtp_server.refuse(550, stage="RCPT")
    await OutboxSender(settings, lambda e: None, clock).send_due()
    kept = OutgoingMail.get_by_id(row.id)
    assert kept.state == "refused" and "550" in (kept.last_error or "")
    assert bytes(kept.content)  # the mail itself is still there to resend by hand


async def test_server_away_is_a_retryable_error(
    ticket: Ticket, smtp_server: SmtpServer, clock: ManualClock
) -> None:
    settings = smtp_settings(smtp_server)
    smtp_server.stop()
    with pytest.raises(SmtpError, match="cannot send"):
        smtp_sender.send(settings, "tuki@yritys.fi", ["liisa@asiakas.fi"], b"Subject: x\r\n\r\nx")


def test_reply_without_from_address_is_refused_clearly(
    ticket: Ticket, clock: ManualClock, store: pw.Database
) -> None:
    with pytest.raises(Exception, match="from_address is not set"):
        queue_reply(ticket.id, "Hei", settings=SmtpSettings(), clock=clock)
    assert OutgoingMail.select().count() == 0


def test_reply_goes_to_the_latest_sender(ticket: Ticket, processor: MailProcessor,
                                         clock: ManualClock) -> None:
    processor.process(plain_mail(sender="Pomo <pomo@asiakas.fi>",
                                 extra_headers="In-Reply-To: <orig-1@asiakas.fi>\r\n"), "t")
    row = queue_reply(ticket.id, "Hei", settings=SmtpSettings(from_address="tuki@yritys.fi"),
                      clock=clock)
    assert parseaddr(row.recipients)[1] == "pomo@asiakas.fi"
