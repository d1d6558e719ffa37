"""The mail desk port: what the page asks of the mail part (test a mailbox, replay, reply)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Protocol

from appliance.config.sections.mail import MailboxSettings, SmtpSettings
from appliance.tickets.reply_files import ReplyFile


class MailRefused(Exception):
    """The mail part could not do what was asked; the message says what and what to do."""


@dataclass(frozen=True, slots=True)
class Replayed:
    """What a replayed quarantined mail became: created, threaded, duplicate or quarantined."""

    kind: str
    ticket_id: int | None


@dataclass(frozen=True, slots=True)
class ReplyDraft:
    """An agent's reply by mail as the page took it: text, copies, files (checked), and who
    signs it. The mail part adds the signature, the quote and the HTML part."""

    body: str
    author_id: int | None = None
    sender_name: str = ""  # the agent's name in From
    signature: str = ""  # the agent's own; empty = the box's closing and the sender name
    cc: tuple[str, ...] = ()
    files: tuple[ReplyFile, ...] = ()
    box_language: str = "fi"  # for the box's words when the customer's language is unknown
    zone: tzinfo = UTC  # the office's wall clock, for the quote header


class MailDesk(Protocol):
    """The mail part as the web page uses it (appliance.mail.mail_desk in the box)."""

    smtp: SmtpSettings  # the outgoing server in use: its caps and sender format too

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

    async def queue_reply(self, ticket_id: int, draft: ReplyDraft) -> tuple[int, str]:
        """Store an agent's reply and queue it for SMTP: (message id, recipients)."""
