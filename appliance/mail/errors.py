"""Mail errors: one base class; each says what happened and what to do."""

from __future__ import annotations

from appliance.ports.mail_desk import MailRefused


class MailError(MailRefused):
    """Something went wrong taking in or sending mail."""


class ImapError(MailError, ConnectionError):
    """The IMAP server could not be reached or answered with an error."""


class ImapLoginFailed(ImapError):
    """The IMAP server refused the login: the user name or password is wrong."""


class SmtpError(MailError, ConnectionError):
    """The SMTP server could not be reached or refused the mail."""


class ReplayError(MailError, ValueError):
    """A quarantined mail cannot be replayed (unknown id, already replayed)."""
