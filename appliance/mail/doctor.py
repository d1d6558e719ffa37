"""`aspa doctor`'s mail rows: each mailbox logs in, SMTP answers, and what waits or failed."""

from __future__ import annotations

import imaplib
import smtplib
import ssl

import peewee as pw

from appliance.config.aspa_toml import Config
from appliance.config.sections.mail import SmtpSettings
from appliance.doctor.registry import Finding, Status, doctor_check
from appliance.mail.errors import ImapError
from appliance.mail.filters.unanswered_automatic import AUTO_REPLY_PREFIX, BOUNCE_PREFIX
from appliance.mail.imap_client import ImapSession
from appliance.mail.mailbox_worker import read_password

PART = "mail"
SMTP_TIMEOUT_S = 10.0


@doctor_check(PART)
def mailboxes_answer(config: Config) -> list[Finding]:
    """Log in to every mailbox and open its folder, as the intake would."""
    if not config.mail.mailboxes:
        return [Finding(PART, "off", "no mail.mailboxes configured")]
    findings = []
    for box in config.mail.mailboxes:
        where = f"mailbox {box.name} ({box.host}:{box.port})"
        session: ImapSession | None = None
        try:
            session = ImapSession(box, read_password(box))
            session.connect()
            status = session.select(box.folder)
            waits = ("IDLE" if session.can_idle
                     else f"no IDLE: polling every {box.poll_seconds:.0f} s")
            detail = (f"{where}: logged in as {box.user}; {box.folder} holds "
                      f"{status.exists} mails; {waits}")
            findings.append(Finding(PART, "ok", detail))
        except (OSError, imaplib.IMAP4.error, ImapError) as error:
            findings.append(Finding(PART, "fail", f"{where}: {error}"))
        finally:
            if session is not None:
                session.close()
    return findings


@doctor_check(PART)
def smtp_answers(config: Config) -> Finding:
    """Greet the SMTP server and log in, without sending anything."""
    smtp = config.mail.smtp
    if not smtp.host:
        return Finding(PART, "off", "mail.smtp.host is empty: replies are not sent")
    where = f"SMTP {smtp.host}:{smtp.port}"
    try:
        _greet(smtp)
    except smtplib.SMTPAuthenticationError:
        return Finding(PART, "fail", f"{where} refused the login of {smtp.user!r}: "
                                     f"check mail.smtp user and password")
    except (OSError, smtplib.SMTPException) as error:
        return Finding(PART, "fail", f"{where}: {error}; check mail.smtp host, port, security")
    login = f"logged in as {smtp.user}" if smtp.user else "no login"
    return Finding(PART, "ok", f"{where}: answers ({smtp.security}, {login})")


def _greet(smtp: SmtpSettings) -> None:
    if smtp.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.user:
            client.login(smtp.user, smtp.password)


@doctor_check(PART)
def intake_backlog(config: Config) -> list[Finding]:
    """Each mailbox's last error, mail waiting to go out, and quarantined mail."""
    from appliance.store.database import open_database
    from appliance.store.database_url import is_postgres_url, sqlite_path
    from appliance.store.errors import StoreError
    from appliance.store.mail_models import OutgoingMail
    from appliance.store.models import MailboxState, Quarantine

    if not (config.mail.mailboxes or config.mail.smtp.host):
        return [Finding(PART, "off", "mail is not configured")]
    url = config.database_url
    if not is_postgres_url(url) and not sqlite_path(url).exists():
        return [Finding(PART, "ok", "store: no database yet")]
    try:
        db = open_database(url, create=False)
    except StoreError as error:
        return [Finding(PART, "warn", f"store: cannot read the database: {error}")]
    findings = []
    try:
        for state in MailboxState.select():
            if state.last_error:
                findings.append(Finding(PART, "warn", f"mailbox {state.mailbox}: the daemon's "
                                                      f"last error: {state.last_error}"))
        pending = OutgoingMail.select().where(OutgoingMail.state == "pending").count()
        refused = OutgoingMail.select().where(OutgoingMail.state == "refused").count()
        waiting = Quarantine.replayed_at.is_null() & (Quarantine.source.startswith("mail:")
                                                      | Quarantine.source.startswith("import:"))
        machine = (Quarantine.reason.startswith(AUTO_REPLY_PREFIX)
                   | Quarantine.reason.startswith(BOUNCE_PREFIX))
        # Auto-replies and bounces of no ticket are kept aside on purpose: no cause for alarm.
        held = Quarantine.select().where(waiting & ~machine).count()
        kept_aside = Quarantine.select().where(waiting & machine).count()
    except pw.DatabaseError as error:
        return [Finding(PART, "warn", f"store: cannot read it ({error}); run `aspa db upgrade`")]
    finally:
        db.close()
    status: Status = "warn" if refused or held else "ok"
    findings.append(Finding(PART, status, f"outgoing: {pending} waiting, {refused} refused by "
                                          f"the server; {held} mails in quarantine"
                                          f"{_kept_aside_text(kept_aside)}"))
    return findings


def _kept_aside_text(count: int) -> str:
    return f" (and {count} auto-replies or bounces of no ticket, kept aside)" if count else ""
