"""Send one test mail with settings not yet saved, and report the server's own words."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.errors import SmtpError
from appliance.mail.smtp_sender import reply_text, server_words

PROBE_TIMEOUT_S = 10.0  # per socket operation: the admin waits for the answer
PROBE_DEADLINE_S = 25.0  # the whole probe, however slowly a server drips its answers
SUBJECT = "Aspa: test mail / testiviesti"
BODY = ("This test mail shows that Aspa can send replies through this server.\n"
        "Tämä testiviesti osoittaa, että Aspa voi lähettää vastauksia tämän palvelimen kautta.\n")


class SmtpProbeFailed(SmtpError):
    """The server refused or broke off; the message carries its own words."""


def test_message(settings: SmtpSettings, to: str, now: datetime) -> EmailMessage:
    """The test mail: from the configured sender to `to`."""
    msg = EmailMessage(policy=SMTP)
    address = settings.from_address
    msg["From"] = formataddr((settings.from_name, address)) if settings.from_name else address
    msg["To"] = to
    msg["Subject"] = SUBJECT
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("aspa-test", domain=settings.message_id_domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834 §5: no responder should answer it
    msg.set_content(BODY)
    return msg


def send_test_mail(settings: SmtpSettings, to: str, now: datetime,
                   timeout_s: float = PROBE_TIMEOUT_S) -> str:
    """Send the test mail step by step (smtplib, blocking): the server's final reply.

    Each step's refusal raises SmtpProbeFailed with the server's code and text, so the
    page can show the installer exactly what the provider said.
    """
    where = f"{settings.host}:{settings.port}"
    step = "connect"
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port,
                                                    timeout=timeout_s,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout_s)
        with client:
            step = "EHLO"
            client.ehlo()
            if settings.security == "starttls":
                step = "STARTTLS"
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if settings.user:
                step = "login"
                client.login(settings.user, settings.password)
            code, text = _transaction(client, settings.from_address, to,
                                      test_message(settings, to, now).as_bytes())
    except _Refused as refused:
        raise SmtpProbeFailed(f"SMTP server {where} refused {refused.step}: "
                              f"{refused.code} {refused.text}") from None
    except smtplib.SMTPResponseException as error:
        raise SmtpProbeFailed(f"SMTP server {where} refused the {step}: "
                              f"{server_words(error)}") from error
    except smtplib.SMTPNotSupportedError as error:
        raise SmtpProbeFailed(f"SMTP server {where} does not offer {step}: {error}") from error
    except (OSError, smtplib.SMTPException) as error:
        raise SmtpProbeFailed(f"SMTP server {where}: {step} failed: {error}") from error
    login = f"logged in as {settings.user!r}" if settings.user else "no login"
    return f"{where} took the test mail to {to} ({login}): {code} {text}"


class _Refused(Exception):
    """One step of the mail transaction got a reply other than 2xx/3xx."""

    def __init__(self, step: str, code: int, text: str) -> None:
        super().__init__(step)
        self.step, self.code, self.text = step, code, text


def _transaction(client: smtplib.SMTP, sender: str, to: str, raw: bytes) -> tuple[int, str]:
    """MAIL, RCPT, DATA one by one (RFC 5321 §3.3), keeping the DATA reply smtplib drops."""
    code, reply = client.mail(sender)
    if code != 250:
        client.rset()
        raise _Refused("the sender", code, reply_text(reply))
    code, reply = client.rcpt(to)
    if code not in (250, 251):
        client.rset()
        raise _Refused("the recipient", code, reply_text(reply))
    try:
        code, reply = client.data(raw)
    except smtplib.SMTPDataError as error:
        raise _Refused("the mail", error.smtp_code, reply_text(error.smtp_error)) from None
    return code, reply_text(reply)


async def async_send_test_mail(settings: SmtpSettings, to: str, now: datetime, *,
                               deadline_s: float = PROBE_DEADLINE_S) -> str:
    """send_test_mail in a thread, given up after deadline_s (the thread ends on its own)."""
    try:
        async with asyncio.timeout(deadline_s):
            return await asyncio.to_thread(send_test_mail, settings, to, now)
    except TimeoutError:
        raise SmtpProbeFailed(f"SMTP server {settings.host}:{settings.port} did not answer "
                              f"within {deadline_s:g} s") from None
