"""Hand one mail to the SMTP server (stdlib smtplib, blocking: run it in a thread)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.errors import SmtpError

SMTP_TIMEOUT_S = 30.0


class SmtpRefused(SmtpError):
    """The server refused the mail for good (a 5xx reply, RFC 5321 §4.2.1); do not retry."""


def send(settings: SmtpSettings, sender: str, recipients: Sequence[str],
         raw: bytes) -> dict[str, str]:
    """Send raw bytes; returns recipients refused while others took it (RFC 5321 §3.3).

    SmtpRefused on a permanent refusal of the whole mail, SmtpError on anything retryable.
    """
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_S,
                context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_S)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password)
            refused = client.sendmail(sender, list(recipients), raw)
    except smtplib.SMTPAuthenticationError as error:
        raise SmtpError(f"SMTP server {where} refused the login of {settings.user!r}: "
                        f"{server_words(error)}; check mail.smtp user and password") from error
    except smtplib.SMTPRecipientsRefused as error:
        codes = {code for code, _ in error.recipients.values()}
        detail = "; ".join(f"{r}: {c} {m.decode(errors='replace')}"
                           for r, (c, m) in error.recipients.items())
        if all(500 <= c < 600 for c in codes):
            raise SmtpRefused(f"SMTP server {where} refused every recipient: {detail}") from error
        raise SmtpError(f"SMTP server {where} deferred the recipients: {detail}") from error
    except smtplib.SMTPResponseException as error:
        text = reply_text(error.smtp_error)
        if 500 <= error.smtp_code < 600:
            raise SmtpRefused(f"SMTP server {where} refused the mail: {error.smtp_code} "
                              f"{text}") from error
        raise SmtpError(f"SMTP server {where} deferred the mail: {error.smtp_code} "
                        f"{text}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpError(f"cannot send through SMTP server {where}: {error}") from error
    # Some recipients may have been refused while others took the mail: it is out, so
    # the caller notes them rather than sending again.
    return {r: f"{c} {m.decode(errors='replace')}" for r, (c, m) in refused.items()}


def reply_text(reply: bytes | str) -> str:
    """A server reply's text on one line (multi-line replies joined, RFC 5321 §4.2.1)."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def server_words(error: smtplib.SMTPResponseException) -> str:
    """What the server answered: its code and its own text."""
    return f"{error.smtp_code} {reply_text(error.smtp_error)}"
