"""The optional "we got your mail" reply: never to machines, capped per customer."""

from __future__ import annotations

from datetime import datetime, timedelta

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.article_writer import WriteOutcome
from appliance.mail.filters.bounce import is_daemon_address
from appliance.mail.outbox import queue
from appliance.mail.outgoing_message import compose
from appliance.mail.parsed_mail import ParsedMail
from appliance.spine.clock import Clock
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import Message, Ticket

ACK_KIND = "acknowledgement"
# Loop protection as the helpdesks that learnt it the hard way: a few per hour, a
# handful more per day, per address, whatever the mail looks like.
ACK_CAPS = ((timedelta(hours=1), 3), (timedelta(hours=24), 10))
_NOREPLY_LOCALPARTS = ("noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
                       "do_not_reply", "bounce", "bounces", "notifications")
ACK_TEXT = (
    "Hei,\n\nkiitos viestistäsi. Se on kirjattu tukipyynnöksi #{number}, ja vastaamme "
    "mahdollisimman pian. Vastatessasi säilytä otsikon tunniste [#{number}].\n\n"
    "Hello,\n\nthank you for your message. It is registered as request #{number} and we "
    "will answer as soon as we can. When replying, keep [#{number}] in the subject.\n"
)


def is_machine_address(address: str) -> bool:
    """Tell whether an address is a system's (mailer-daemon, postmaster, noreply...)."""
    local = address.partition("@")[0].lower()
    return is_daemon_address(address) or local.startswith(_NOREPLY_LOCALPARTS)


def recent_acks(address: str, since: datetime) -> int:
    """Acknowledgements queued to an address since a time."""
    return (OutgoingMail.select()
            .where((OutgoingMail.kind == ACK_KIND) & (OutgoingMail.recipients == address)
                   & (OutgoingMail.created_at >= since))
            .count())


def should_acknowledge(mail: ParsedMail, outcome: WriteOutcome, now: datetime) -> bool:
    """Only a person's mail that opened a new ticket, within the per-address caps."""
    if outcome.kind != "created" or mail.is_automatic or not mail.from_address:
        return False
    if is_machine_address(mail.from_address):
        return False
    return all(recent_acks(mail.from_address, now - window) < cap for window, cap in ACK_CAPS)


def acknowledge(mail: ParsedMail, outcome: WriteOutcome, settings: SmtpSettings,
                clock: Clock) -> OutgoingMail | None:
    """Queue the acknowledgement when due (inside the article's transaction)."""
    now = clock.now()
    if not settings.from_address or not should_acknowledge(mail, outcome, now):
        return None
    ticket = Ticket.get_by_id(outcome.ticket_id)
    composed = compose(
        ticket_number=ticket.number, from_address=settings.from_address,
        from_name=settings.from_name,
        to=[mail.from_address], subject=ticket.subject,
        body_text=ACK_TEXT.format(number=ticket.number), domain=settings.message_id_domain,
        now=now, in_reply_to=mail.message_id, references=mail.references, automatic=True)
    # Stored directly, not as an agent's reply: an automatic mail is no first response.
    message = Message.create(
        ticket=ticket, channel="email", direction="out", sender=settings.from_address,
        recipients=mail.from_address, subject=composed.subject,
        body_text=ACK_TEXT.format(number=ticket.number), message_id=composed.message_id,
        in_reply_to=mail.message_id[:500], created_at=now)
    return queue(composed, kind=ACK_KIND, sender=settings.from_address,
                 recipients=[mail.from_address], ticket=ticket, message=message, now=now)
