"""The outgoing server in aspa.toml's [mail.smtp]; a new password goes to a 0600 file beside it.

Blocking (file I/O): run in a thread. The edit goes through edit_config, so the real
loader checks the whole result and a refused change leaves every file as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from appliance.config.aspa_toml import load_config
from appliance.config.schema import ConfigError
from appliance.config.sections.mail import MailboxSettings, SmtpSettings, shared_login
from appliance.web.mailboxes.outgoing_form import OutgoingForm
from appliance.web.settings.config_edit import edit_config
from appliance.web.settings.toml_values import set_value, table

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

PASSWORD_FILE = "smtp.password"
_OWN_LOGIN = ("host", "user", "password", "password_file")  # taken from a shared mailbox


def save_outgoing(path: Path | None, form: OutgoingForm) -> None:
    """[mail.smtp] takes the form's values; an empty password keeps the saved one."""
    problems = form.problems()
    if problems:
        raise ConfigError(problems)
    new_password = form.password if not form.from_mailbox else ""

    def change(document: TOMLDocument) -> None:
        import tomlkit

        mail = table(document, "mail")
        if "smtp" not in mail:
            mail["smtp"] = tomlkit.table()
        smtp = mail["smtp"]
        for key, value in form.keys().items():
            if key == "from_mailbox" and not value:
                if key in smtp:
                    del smtp[key]
                continue
            set_value(smtp, key, value)
        if form.from_mailbox or new_password:
            for key in _OWN_LOGIN if form.from_mailbox else ("password", "password_file"):
                if key in smtp:
                    del smtp[key]
        if new_password:
            smtp["password_file"] = PASSWORD_FILE  # read from the folder of aspa.toml

    edit_config(path, change, {PASSWORD_FILE: new_password} if new_password else None)


def saved_outgoing(path: Path) -> tuple[SmtpSettings, list[MailboxSettings]]:
    """The outgoing server and the mailboxes as aspa.toml holds them now."""
    config = load_config(path)
    return config.mail.smtp, list(config.mail.mailboxes)


def settings_to_try(form: OutgoingForm, saved: SmtpSettings,
                    mailboxes: list[MailboxSettings]) -> SmtpSettings:
    """The server a test uses: the typed values, the shared mailbox's login or the saved
    password when none is typed. ConfigError names what is wrong."""
    if form.from_mailbox:
        box = next((m for m in mailboxes if m.name == form.from_mailbox), None)
        if box is None:
            raise ConfigError([f"mail.smtp.from_mailbox: no mailbox is named "
                               f"{form.from_mailbox!r}"])
        return shared_login(form.settings(""), box)
    return form.settings(form.password or saved.password)
