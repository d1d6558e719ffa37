"""Notices to agents by email: put in the box's outbox, sent by its outgoing mail like replies."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.article_writer import WRITE_LOCK
from appliance.mail.filters.own_loop import LOOP_HEADER
from appliance.mail.outbox import queue
from appliance.mail.outgoing_message import Composed, new_message_id
from appliance.ports.notices import AgentNotice
from appliance.spine.clock import Clock
from appliance.store import notice_log
from appliance.store.models import database_proxy
from appliance.store.worker import StoreWorker

NOTICE_KIND = "notice"


def compose_notice(notice: AgentNotice, settings: SmtpSettings, clock: Clock) -> Composed:
    """The notice as a mail to the agent, marked automatic (RFC 3834 §5: auto-generated)."""
    message_id = new_message_id(notice.number or 0, settings.message_id_domain)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = (formataddr((settings.from_name, settings.from_address))
                   if settings.from_name else settings.from_address)
    msg["To"] = notice.email
    msg["Subject"] = notice.subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = f"<{message_id}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    if notice.number is not None:
        msg[LOOP_HEADER] = str(notice.number)  # a reply to it is known as our own mail
    msg.set_content(notice.text)
    return Composed(message_id, notice.subject, msg.as_bytes())


class NoticeMail:
    """The notifier's email sender: the notice goes in the outbox (its notice log rows marked
    sent in the same transaction), the outbox sender sends it."""

    def __init__(self, settings: SmtpSettings, store: StoreWorker, clock: Clock) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock

    async def __call__(self, notice: AgentNotice) -> None:
        composed = compose_notice(notice, self._settings, self._clock)

        def put() -> None:
            now = self._clock.now()
            with WRITE_LOCK, database_proxy.atomic():
                queue(composed, kind=NOTICE_KIND, sender=self._settings.from_address,
                      recipients=[notice.email], ticket=None, message=None, now=now)
                notice_log.settle(notice.notice_ids, notice_log.SENT, "email", now)

        await self._store.call(put)
