"""The outgoing-mail (SMTP) form as the admin types it: read, shown back, turned into keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from appliance.config.schema import ConfigError, load_section
from appliance.config.sections.mail import SmtpSettings
from appliance.web.frame import forms
from appliance.web.settings import setting_fields

HOST_MAX = 253  # RFC 1035 §2.3.4
USER_MAX = 200
PASSWORD_MAX = 200
NAME_MAX = 100
ADDRESS_MAX = 254  # RFC 5321 §4.5.3.1.3, the longest usable path
DEFAULT_PORT = "587"


@dataclass(frozen=True)
class OutgoingForm:
    """The fields of the outgoing-mail form; `password` is shown back only within a request."""

    host: str = ""
    port: str = DEFAULT_PORT
    security: str = "starttls"
    user: str = ""
    from_name: str = ""
    from_address: str = ""
    from_mailbox: str = ""
    test_to: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_fields(cls, fields: forms.Fields) -> OutgoingForm:
        """The typed values; only length and type are checked here, the loader does the rest."""
        return cls(
            host=forms.text(fields, "host", max_chars=HOST_MAX, required=False),
            port=forms.port_text(fields, DEFAULT_PORT),
            security=forms.text(fields, "security", max_chars=20, required=False) or "starttls",
            user=forms.text(fields, "user", max_chars=USER_MAX, required=False),
            from_name=forms.text(fields, "from_name", max_chars=NAME_MAX, required=False),
            from_address=forms.text(fields, "from_address", max_chars=ADDRESS_MAX,
                                    required=False),
            from_mailbox=forms.text(fields, "from_mailbox", max_chars=60, required=False),
            test_to=forms.text(fields, "test_to", max_chars=ADDRESS_MAX, required=False),
            password=setting_fields.secret_text(fields, "password", max_chars=PASSWORD_MAX),
        )

    @classmethod
    def from_settings(cls, smtp: SmtpSettings) -> OutgoingForm:
        """The saved server as its form starts; the password stays behind."""
        return cls(host=smtp.host, port=str(smtp.port), security=smtp.security, user=smtp.user,
                   from_name=smtp.from_name, from_address=smtp.from_address,
                   from_mailbox=smtp.from_mailbox)

    def shown(self, *, with_password: bool = False) -> dict[str, Any]:
        """The values a page may show; the password only when answering the post that typed it."""
        values = asdict(self)
        if not with_password:
            values["password"] = ""
        return values

    def keys(self) -> dict[str, Any]:
        """The aspa.toml keys this form sets in [mail.smtp] (the password is handled apart)."""
        port: Any = int(self.port) if self.port.isdigit() else self.port
        own: dict[str, Any] = {} if self.from_mailbox else {"host": self.host, "user": self.user}
        return {**own, "port": port, "security": self.security, "from_name": self.from_name,
                "from_address": self.from_address, "from_mailbox": self.from_mailbox}

    @property
    def switches_off(self) -> bool:
        """No server and no sender: replies are only stored (sending is switched off)."""
        return not (self.host or self.from_mailbox or self.from_address)

    def problems(self) -> list[str]:
        """What the form lacks for sending at all, as `mail.smtp.key: what` lines."""
        if self.switches_off:
            return []
        problems = []
        if not self.from_mailbox and not self.host:
            problems.append("mail.smtp.host: required")
        if "@" not in self.from_address:
            problems.append("mail.smtp.from_address: required, an address like "
                            "support@example.fi")
        return problems

    def settings(self, password: str) -> SmtpSettings:
        """The server the outbox would use with these values; ConfigError names what is wrong."""
        problems = self.problems()
        keys = {k: v for k, v in self.keys().items() if k != "from_mailbox"}
        keys.update(host=self.host, user=self.user, password=password)
        section = load_section(SmtpSettings, keys, "mail.smtp", problems)
        if problems:
            raise ConfigError(problems)
        return section

