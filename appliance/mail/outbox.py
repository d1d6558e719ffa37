"""Outgoing mail kept in the store until the SMTP server has it: queue, send, retry, show."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from appliance.mail.article_writer import WRITE_LOCK
from appliance.mail.errors import SmtpError
from appliance.mail.outgoing_message import Composed
from appliance.mail.smtp_sender import SmtpRefused
from appliance.spine.clock import Clock
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import Message, Ticket, database_proxy

log = logging.getLogger("aspa.mail.outbox")

RETRY_FIRST_S = 60.0
RETRY_MAX_S = 6 * 3600.0
PENDING, SENT, REFUSED = "pending", "sent", "refused"

SendFn = Callable[[str, list[str], bytes], dict[str, str]]


def retry_delay(attempts: int) -> timedelta:
    """Wait before attempt n+1: one minute, doubling, at most six hours."""
    return timedelta(seconds=min(RETRY_MAX_S, RETRY_FIRST_S * 2 ** min(attempts - 1, 20)))


def queue(composed: Composed, *, kind: str, sender: str, recipients: list[str],
          ticket: Ticket | None, message: Message | None, now: datetime) -> OutgoingMail:
    """Put a composed mail in the outbox (call inside the transaction that made its message)."""
    return OutgoingMail.create(
        ticket=ticket, message=message, kind=kind, sender=sender,
        recipients=", ".join(recipients), rfc_message_id=composed.message_id,
        content=composed.raw, state=PENDING, attempts=0, next_attempt_at=now, created_at=now)


def due(now: datetime, limit: int = 50) -> list[OutgoingMail]:
    """Pending mail whose next attempt is due, oldest first."""
    return list(OutgoingMail.select()
                .where((OutgoingMail.state == PENDING) & (OutgoingMail.next_attempt_at <= now))
                .order_by(OutgoingMail.id).limit(limit))


def attempt(row: OutgoingMail, send: SendFn, clock: Clock) -> bool:
    """Try one mail; record the result on its row. True when the server took it."""
    recipients = [r.strip() for r in row.recipients.split(",") if r.strip()]
    error: str | None = None
    refused: dict[str, str] = {}
    state = PENDING
    try:
        refused = send(row.sender, recipients, bytes(row.content))
        state = SENT
    except SmtpRefused as failure:
        state, error = REFUSED, str(failure)
    except SmtpError as failure:
        error = str(failure)
    now = clock.now()
    with WRITE_LOCK, database_proxy.atomic():
        row.attempts += 1
        row.state = state
        if state == SENT:
            row.sent_at = now
            row.last_error = ("refused: " + "; ".join(f"{r} {why}" for r, why in refused.items())
                              if refused else None)
        else:
            row.last_error = error
            row.next_attempt_at = now + retry_delay(row.attempts)
        row.save()
    if error:
        log.warning("outgoing mail %s (%s), attempt %d: %s", row.id, row.kind, row.attempts,
                    error)
    return state == SENT
