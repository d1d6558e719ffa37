"""The `mail` section of aspa.toml: mailboxes to take in and the SMTP server for replies."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from appliance.config.schema import in_range, one_of, setting
from appliance.config.secret_files import masked_repr
from appliance.config.shown_value import shown

SECURITY_CHOICES = ("tls", "starttls", "none")
SENDER_FORMAT_FIELDS = ("{agent}", "{office}")


def _mark_check(value: str) -> str | None:
    """A mailbox marks taken mail `seen` or moves it with `move:<folder>`."""
    if value == "seen" or (value.startswith("move:") and len(value) > len("move:")):
        return None
    return f"must be 'seen' or 'move:<folder>', not {shown(value)}"


def _sender_format_check(value: str) -> str | None:
    """A From name pattern: only {agent} and {office} are filled in."""
    rest = value
    for field in SENDER_FORMAT_FIELDS:
        rest = rest.replace(field, "")
    if "{" in rest or "}" in rest:
        return f"may use only {{agent}} and {{office}}, not {shown(value)}"
    return None


@dataclass(frozen=True)
class MailboxSettings:
    """One IMAP mailbox whose mail becomes tickets."""

    name: str = setting("support", "a short name for logs, health and the web page")
    host: str = setting("", "IMAP server host name")
    port: int = setting(993, "IMAP port: 993 for tls, 143 for starttls/none",
                        check=in_range(1, 65535))
    security: str = setting("tls", "tls, starttls or none", check=one_of(*SECURITY_CHOICES))
    user: str = setting("", "login name")
    password: str = setting("", "password (or use password_file)")
    password_file: str = setting("", "file holding the password, read at start")
    folder: str = setting("INBOX", "folder to take mail from")
    idle: bool = setting(True, "use IMAP IDLE when the server offers it (RFC 2177)")
    poll_seconds: float = setting(60.0, "seconds between polls without IDLE",
                                  check=in_range(1, 3600))
    mark: str = setting("seen", "after taking a mail: 'seen' or 'move:<folder>'",
                        check=_mark_check)
    acknowledge: bool = setting(False, "send an acknowledgement to new tickets' senders")
    size_cap_mb: float = setting(25.0, "larger mail becomes a ticket with headers and a note",
                                 check=in_range(0.01, 1024))

    def validate(self) -> list[str]:
        """Cross-key checks: a host and a login are needed."""
        problems = []
        if not self.host:
            problems.append("host: required")
        if not self.user:
            problems.append("user: required")
        return problems


@dataclass(frozen=True)
class SmtpSettings:
    """The SMTP server replies and acknowledgements go out through."""

    host: str = setting("", "SMTP server host name; empty disables sending")
    port: int = setting(587, "SMTP port: 465 for tls, 587 for starttls", check=in_range(1, 65535))
    security: str = setting("starttls", "tls, starttls or none", check=one_of(*SECURITY_CHOICES))
    user: str = setting("", "login name; empty sends without AUTH")
    password: str = setting("", "password")
    password_file: str = setting("", "file holding the password, read at start")
    from_name: str = setting("", "sender name shown with the From address, e.g. Tuki / Support")
    from_address: str = setting("", "From address of replies, e.g. support@example.fi")
    from_mailbox: str = setting(
        "", "name of a [[mail.mailboxes]] whose host, user and password this server shares "
        "(port and security stay these); empty = host, user and password above")
    domain: str = setting("", "domain of our Message-IDs; empty takes it from from_address")
    sender_format: str = setting(
        "{agent} via {office}", "From name of an agent's reply: {agent} is the agent's sender "
        "name, {office} is from_name; '{office}' alone hides the agent",
        check=_sender_format_check)
    attachment_max_mb: float = setting(10.0, "largest file an agent may attach to a reply",
                                       check=in_range(0.1, 50))
    attachments_max_mb: float = setting(
        10.0, "largest total of the files on one reply (in mail they grow by a third; many "
        "servers refuse mail over 20-25 MB)", check=in_range(0.1, 50))

    @property
    def message_id_domain(self) -> str:
        """The right-hand side of our Message-IDs (RFC 5322 §3.6.4)."""
        if self.domain:
            return self.domain
        return self.from_address.rpartition("@")[2] or "aspa.invalid"

    def shown_sender(self, agent: str) -> str:
        """The From name of an agent's reply, by sender_format; whichever part is known."""
        if not agent or not self.from_name:
            return agent or self.from_name
        return self.sender_format.replace("{agent}", agent).replace(
            "{office}", self.from_name).strip()

    __repr__ = masked_repr


def shared_login(smtp: SmtpSettings, mailbox: MailboxSettings) -> SmtpSettings:
    """The outgoing server on the mailbox's host with the mailbox's login (same provider)."""
    return dataclasses.replace(smtp, host=mailbox.host, user=mailbox.user,
                               password=mailbox.password, password_file="")


@dataclass(frozen=True)
class MailSettings:
    """The whole `mail` section."""

    mailboxes: list[MailboxSettings] = setting(factory=list, doc="IMAP mailboxes taken in")
    smtp: SmtpSettings = setting(factory=SmtpSettings, doc="outgoing mail")

    def validate(self) -> list[str]:
        """The outgoing server may only share the login of a configured mailbox."""
        wanted = self.smtp.from_mailbox
        names = [m.name for m in self.mailboxes if m is not None]
        if wanted and wanted not in names:
            known = ", ".join(names) or "none is configured"
            return [f"smtp.from_mailbox: no mailbox is named {wanted!r} (known: {known})"]
        return []

    def with_outgoing_resolved(self) -> MailSettings:
        """The section with `smtp` holding the shared mailbox's host and login, if it names one."""
        for mailbox in self.mailboxes:
            if self.smtp.from_mailbox and mailbox.name == self.smtp.from_mailbox:
                return dataclasses.replace(self, smtp=shared_login(self.smtp, mailbox))
        return self
