"""A mailbox as the admin types it: read from the form, shown back, turned into aspa.toml keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from appliance.config.schema import ConfigError, load_section
from appliance.config.sections.mail import MailboxSettings
from appliance.web.frame import forms
from appliance.web.settings import setting_fields

NAME_MAX = 60
HOST_MAX = 253  # RFC 1035 §2.3.4
USER_MAX = 200
PASSWORD_MAX = 200
FOLDER_MAX = 200
MOVE_PREFIX = "move:"


@dataclass(frozen=True)
class MailboxForm:
    """The fields of the mailbox form; `password` is shown back only within a request."""

    name: str = ""
    host: str = ""
    port: str = "993"
    security: str = "tls"
    user: str = ""
    folder: str = "INBOX"
    move_to: str = ""
    acknowledge: bool = False
    password: str = field(default="", repr=False)

    @classmethod
    def from_fields(cls, fields: forms.Fields, *, with_name: bool) -> MailboxForm:
        """The typed values; only length and type are checked here, the loader does the rest.

        `with_name`: the name is required (a new mailbox); a saved one keeps its name, which
        is also the key of its intake position.
        """
        return cls(
            name=forms.text(fields, "name", max_chars=NAME_MAX, required=with_name),
            host=forms.text(fields, "host", max_chars=HOST_MAX, required=False),
            port=forms.port_text(fields, "993"),
            security=forms.text(fields, "security", max_chars=20, required=False) or "tls",
            user=forms.text(fields, "user", max_chars=USER_MAX, required=False),
            folder=forms.text(fields, "folder", max_chars=FOLDER_MAX, required=False) or "INBOX",
            move_to=forms.text(fields, "move_to", max_chars=FOLDER_MAX, required=False),
            acknowledge=forms.flag(fields, "acknowledge"),
            password=setting_fields.secret_text(fields, "password", max_chars=PASSWORD_MAX),
        )

    @classmethod
    def from_settings(cls, mailbox: MailboxSettings) -> MailboxForm:
        """A configured mailbox as its form starts; the password stays behind."""
        move_to = mailbox.mark[len(MOVE_PREFIX):] if mailbox.mark.startswith(MOVE_PREFIX) else ""
        return cls(name=mailbox.name, host=mailbox.host, port=str(mailbox.port),
                   security=mailbox.security, user=mailbox.user, folder=mailbox.folder,
                   move_to=move_to, acknowledge=mailbox.acknowledge)

    def shown(self, *, with_password: bool = False) -> dict[str, Any]:
        """The values a page may show; the password only when answering the post that typed it
        (a failed test or a refused save must not make the installer type it again)."""
        values = asdict(self)
        if not with_password:
            values["password"] = ""
        return values

    def keys(self) -> dict[str, Any]:
        """The aspa.toml keys this form sets (name and password are handled apart)."""
        port: Any = int(self.port) if self.port.isdigit() else self.port
        return {"host": self.host, "port": port, "security": self.security, "user": self.user,
                "folder": self.folder,
                "mark": f"{MOVE_PREFIX}{self.move_to}" if self.move_to else "seen",
                "acknowledge": self.acknowledge}

    def settings(self, password: str, key_path: str = "mailbox") -> MailboxSettings:
        """The settings the intake would run with; ConfigError names what is wrong."""
        problems: list[str] = []
        data = {"name": self.name or "test", **self.keys(), "password": password}
        section = load_section(MailboxSettings, data, key_path, problems)
        if problems:
            raise ConfigError(problems)
        return section

