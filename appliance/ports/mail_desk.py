"""The mail desk port: what the page asks of the mail part (test a mailbox, replay, reply)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from appliance.config.sections.mail import MailboxSettings, SmtpSettings


class MailRefused(Exception):
    """The mail part could not do what was asked; the message says what and what to do."""


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a replayed quarantined mail became: created, threaded, duplicate or quarantined."""

    kind: str
    ticket_id: int | None


class MailDesk(Protocol):
    """The mail part as the web page uses it (appliance.mail.mail_desk in the box)."""

    @property
    def sends_mail(self) -> bool:
        """True when an SMTP server and a sender address are set up."""

    async def test_mailbox(self, settings: MailboxSettings, password: str) -> str:
        """Log in and open the folder, saving nothing: the server's words; MailRefused."""

    async def send_test_mail(self, settings: SmtpSettings, to: str) -> str:
        """Send one test mail with these settings: the server's words; MailRefused."""

    def use_smtp(self, settings: SmtpSettings) -> None:
        """Send replies through this server from now on (the settings page saved it)."""

    async def replay(self, quarantine_id: int) -> Replayed:
        """Run a quarantined mail through the intake again (its events are published)."""

    async def queue_reply(self, ticket_id: int, body: str, *, author_id: int,
                          sender_name: str) -> tuple[int, str]:
        """Store an agent's reply and queue it for SMTP: (message id, recipients)."""
