"""An agent's reply to a ticket: stored as its outgoing message and queued for SMTP, together."""

from __future__ import annotations

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.article_writer import WRITE_LOCK
from appliance.mail.errors import MailError
from appliance.mail.outbox import queue
from appliance.mail.outgoing_message import compose
from appliance.spine.clock import Clock
from appliance.store.errors import InvalidInput
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import Message, Ticket, database_proxy
from appliance.store.reply_addresses import email_to_answer
from appliance.store.ticket_records import MessageDraft, TicketRecords

REPLY_KIND = "reply"


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


def shown_sender(agent_name: str, office_name: str) -> str:
    """The From name of a reply: the agent, with the office's sender name after it."""
    if agent_name and office_name:
        # not "Agent (Office)": parentheses in a From name read as a comment (RFC 5322 §3.2.2)
        return f"{agent_name} / {office_name}"
    return agent_name or office_name


def queue_reply(ticket_id: int, body_text: str, *, settings: SmtpSettings, clock: Clock,
                author_id: int | None = None, sender_name: str = "") -> OutgoingMail:
    """Store the reply on the ticket and put it in the outbox, in one transaction."""
    if not settings.from_address:
        raise MailError("mail.smtp.from_address is not set: replies cannot be sent")
    with WRITE_LOCK, database_proxy.atomic():
        ticket = Ticket.get_by_id(ticket_id)
        to = customer_address(ticket)
        ids = thread_ids(ticket)
        composed = compose(
            ticket_number=ticket.number, from_address=settings.from_address,
            from_name=shown_sender(sender_name, settings.from_name), to=[to],
            subject=ticket.subject, body_text=body_text,
            domain=settings.message_id_domain, now=clock.now(),
            in_reply_to=ids[-1] if ids else None, references=ids[:-1])
        records = TicketRecords(database_proxy.obj, clock)
        written = records.add_message(ticket.id, MessageDraft(
            channel="email", direction="out", body_text=body_text, subject=composed.subject,
            sender=settings.from_address, recipients=to, message_id=composed.message_id,
            in_reply_to=ids[-1] if ids else None, author_id=author_id))
        return queue(composed, kind=REPLY_KIND, sender=settings.from_address, recipients=[to],
                     ticket=ticket, message=written.message, now=clock.now())
