"""An agent's reply to a ticket: stored as its outgoing message and queued for SMTP, together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.article_writer import WRITE_LOCK
from appliance.mail.errors import MailError
from appliance.mail.outbox import queue
from appliance.mail.outgoing_message import Composed, compose
from appliance.mail.reply_body import Quoted, reply_text, signed
from appliance.mail.reply_phrases import reply_language
from appliance.mail.text_to_html import html_from_text
from appliance.ports.mail_desk import ReplyDraft
from appliance.spine.clock import Clock
from appliance.store.errors import InvalidInput
from appliance.store.mail_models import OutgoingMail
from appliance.store.message_files import link_files, store_blobs
from appliance.store.models import Customer, Message, Ticket, database_proxy
from appliance.store.reply_addresses import email_to_answer, latest_customer_mail
from appliance.store.ticket_records import MessageDraft, TicketRecords
from appliance.tickets import BusinessCalendar, SlaPolicy

REPLY_KIND = "reply"


class SlaTerms(Protocol):
    """The SLA targets and business hours a ticket's clocks count in (the ticket book's
    records hold the box's, and follow a saved change)."""

    @property
    def policy(self) -> SlaPolicy: ...

    @property
    def calendar(self) -> BusinessCalendar: ...


def customer_address(ticket: Ticket) -> str:
    """Whom to answer (appliance.store.reply_addresses); MailError when nobody can be."""
    try:
        return email_to_answer(ticket)
    except InvalidInput as error:
        raise MailError(str(error)) from None


def thread_ids(ticket: Ticket) -> list[str]:
    """The Message-IDs of the ticket's mails, oldest first, for References (RFC 5322 §3.6.4)."""
    rows = (Message.select(Message.message_id)
            .where((Message.ticket == ticket) & (Message.channel == "email")
                   & Message.message_id.is_null(False))
            .order_by(Message.id))
    return [str(r.message_id) for r in rows]


def _customer(ticket: Ticket) -> Customer | None:
    return Customer.get_or_none(Customer.id == ticket.customer_id) if ticket.customer_id else None


def _quote(ticket: Ticket, customer: Customer | None, draft: ReplyDraft) -> Quoted | None:
    """The customer's latest mail, to quote under the reply."""
    latest = latest_customer_mail(ticket)
    if latest is None:
        return None
    name = (customer.name if customer is not None and customer.name else "") or latest.sender
    return Quoted(name, latest.created_at.astimezone(draft.zone), latest.body_text)


def queue_reply(ticket_id: int, body_text: str, *, settings: SmtpSettings, clock: Clock,
                author_id: int | None = None, sender_name: str = "") -> OutgoingMail:
    """A plain reply (no copies, no files) as queue_draft sends it."""
    return queue_draft(ticket_id, ReplyDraft(body=body_text, author_id=author_id,
                                             sender_name=sender_name),
                       settings=settings, clock=clock)


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    """What the store says a reply needs: whom, the thread, the language, the quote."""

    ticket_id: int
    number: int
    subject: str
    to: str
    cc: tuple[str, ...]
    thread: tuple[str, ...]  # Message-IDs, oldest first
    language: str
    quote: Quoted | None


@dataclass(frozen=True, slots=True)
class ComposedReply:
    """The mail as bytes, and the signed text kept on the ticket."""

    composed: Composed
    shown: str


def plan_reply(ticket_id: int, draft: ReplyDraft, settings: SmtpSettings) -> ReplyPlan:
    """Read what the reply needs (blocking: the store thread); MailError if it cannot go."""
    if not settings.from_address:
        raise MailError("mail.smtp.from_address is not set: replies cannot be sent")
    ticket = Ticket.get_by_id(ticket_id)
    to = customer_address(ticket)
    customer = _customer(ticket)
    return ReplyPlan(
        ticket_id=ticket.id, number=ticket.number, subject=ticket.subject, to=to,
        cc=tuple(a for a in draft.cc if a.lower() != parseaddr(to)[1].lower()),
        thread=tuple(thread_ids(ticket)),
        language=reply_language(customer.language if customer else None, draft.box_language),
        quote=_quote(ticket, customer, draft))


def compose_reply(plan: ReplyPlan, draft: ReplyDraft, settings: SmtpSettings,
                  now: datetime) -> ComposedReply:
    """The mail: the signed text and the quote, in plain text and in HTML made from it, the
    box's words in the customer's language, the files after them. CPU only, no store: a
    reply with 10 MB of files takes a second or two, so it runs beside the store thread."""
    shown = signed(draft.body, signature=draft.signature, sender_name=draft.sender_name,
                   language=plan.language)
    text = reply_text(shown, plan.quote, plan.language)
    composed = compose(
        ticket_number=plan.number, from_address=settings.from_address,
        from_name=settings.shown_sender(draft.sender_name), to=[plan.to], cc=list(plan.cc),
        subject=plan.subject, body_text=text, html=html_from_text(text, plan.language),
        files=draft.files, domain=settings.message_id_domain, now=now,
        in_reply_to=plan.thread[-1] if plan.thread else None, references=list(plan.thread[:-1]))
    return ComposedReply(composed, shown)


def record_reply(plan: ReplyPlan, draft: ReplyDraft, reply: ComposedReply, *,
                 settings: SmtpSettings, clock: Clock, blobs: Sequence[str] = (),
                 terms: SlaTerms | None = None) -> OutgoingMail:
    """Store the reply on the ticket, its files' rows (their blobs already written), and
    put the mail in the outbox, in one transaction (blocking: the store thread).

    A first reply stops the first-response clock: the time it used counts in the box's
    business hours (`terms`; None: the built-in targets, always open)."""
    in_reply_to = plan.thread[-1] if plan.thread else None
    policy, calendar = (terms.policy, terms.calendar) if terms is not None else (None, None)
    with WRITE_LOCK, database_proxy.atomic():
        ticket = Ticket.get_by_id(plan.ticket_id)
        records = TicketRecords(database_proxy.obj, clock, policy=policy, calendar=calendar)
        written = records.add_message(ticket.id, MessageDraft(
            channel="email", direction="out", body_text=reply.shown,
            subject=reply.composed.subject, sender=settings.from_address,
            recipients=", ".join([plan.to, *plan.cc]), message_id=reply.composed.message_id,
            in_reply_to=in_reply_to, author_id=draft.author_id))
        assert written.message is not None  # add_message always writes one
        link_files(written.message.id, draft.files, blobs)
        return queue(reply.composed, kind=REPLY_KIND, sender=settings.from_address,
                     recipients=[plan.to, *plan.cc], ticket=ticket, message=written.message,
                     now=clock.now())


def queue_draft(ticket_id: int, draft: ReplyDraft, *, settings: SmtpSettings, clock: Clock,
                attachments: Path | None = None, terms: SlaTerms | None = None) -> OutgoingMail:
    """Plan, compose and record a reply in this thread (the mail desk spreads the steps)."""
    if draft.files and attachments is None:
        raise MailError("no attachments folder: the reply's files cannot be kept")
    plan = plan_reply(ticket_id, draft, settings)
    reply = compose_reply(plan, draft, settings, clock.now())
    blobs = store_blobs(attachments, draft.files) if attachments is not None else []
    return record_reply(plan, draft, reply, settings=settings, clock=clock, blobs=blobs,
                        terms=terms)
