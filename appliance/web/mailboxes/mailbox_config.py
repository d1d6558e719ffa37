"""Mailboxes in aspa.toml: add, change, remove; a new password goes to a 0600 file beside it.

Blocking (file I/O): run in a thread. Each edit goes through edit_config, so the
real loader checks the whole result, and a refused change leaves aspa.toml and
the password files as they were.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.config.aspa_toml import load_config
from appliance.config.schema import ConfigError
from appliance.config.sections.mail import MailboxSettings
from appliance.store.errors import NotFound
from appliance.web.mailboxes.mailbox_form import MailboxForm
from appliance.web.settings.config_edit import edit_config

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

DEFAULT_NAME = "support"  # MailboxSettings.name when the table has none
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def password_file_name(mailbox: str) -> str:
    """The file beside aspa.toml that holds this mailbox's password."""
    safe = _UNSAFE.sub("-", mailbox.lower())
    if safe != mailbox:  # two names may fold to one: keep them apart
        safe += "-" + hashlib.sha256(mailbox.encode()).hexdigest()[:8]
    return f"mailbox-{safe}.password"


def _mailboxes(document: TOMLDocument, *, create: bool) -> Any:
    """The document's mail.mailboxes list (made when asked and missing), else None."""
    import tomlkit

    if "mail" not in document:
        if not create:
            return None
        document["mail"] = tomlkit.table()
    mail: Any = document["mail"]
    if "mailboxes" not in mail:
        if not create:
            return None
        mail["mailboxes"] = tomlkit.aot()
    return mail["mailboxes"]


def _name_of(table: Any) -> str:
    return str(table.get("name", DEFAULT_NAME))


def _existing(document: TOMLDocument, index: int) -> Any:
    boxes = _mailboxes(document, create=False)
    if boxes is None or not 0 <= index < len(boxes):
        raise NotFound(f"no such mailbox: {index + 1}")
    return boxes[index]


def _point_at_password_file(table: Any) -> str:
    """Make the table read its password from its own file; returns that file's name."""
    name = password_file_name(_name_of(table))
    table["password_file"] = name  # read from the folder of aspa.toml
    if "password" in table:
        del table["password"]  # the loader refuses both together
    return name


def add_mailbox(path: Path | None, form: MailboxForm) -> None:
    """A new [[mail.mailboxes]] table; its name must be new and a password is needed."""
    def change(document: TOMLDocument) -> None:
        import tomlkit
        from tomlkit.items import AoT

        boxes = _mailboxes(document, create=True)
        key = f"mail.mailboxes[{len(boxes)}]"
        for i, other in enumerate(boxes):
            if _name_of(other) == form.name:
                raise ConfigError([f"{key}.name: {form.name!r} is already used by "
                                   f"mail.mailboxes[{i}]"])
        if not form.password:
            raise ConfigError([f"{key}.password: required for a new mailbox"])
        table = tomlkit.table() if isinstance(boxes, AoT) else tomlkit.inline_table()
        table["name"] = form.name
        for name, value in form.keys().items():
            table[name] = value
        _point_at_password_file(table)
        boxes.append(table)

    edit_config(path, change, {password_file_name(form.name): form.password}
                if form.password else None)


def _saved_name(path: Path, index: int) -> str:
    """The name of mailbox `index` as aspa.toml has it now."""
    try:
        boxes = tomllib.loads(path.read_text(encoding="utf-8")).get("mail", {}).get(
            "mailboxes", [])
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        boxes = []  # edit_config reports what is wrong with the file
    if not isinstance(boxes, list) or not 0 <= index < len(boxes) or not isinstance(
            boxes[index], dict):
        raise NotFound(f"no such mailbox: {index + 1}")
    return str(boxes[index].get("name", DEFAULT_NAME))


def change_mailbox(path: Path | None, index: int, form: MailboxForm) -> None:
    """Mailbox `index` (0 = the first) takes the form's values; an empty password keeps it."""
    secrets: dict[str, str] = {}
    if form.password and path is not None:
        secrets[password_file_name(_saved_name(path, index))] = form.password

    def change(document: TOMLDocument) -> None:
        table = _existing(document, index)
        for name, value in form.keys().items():
            table[name] = value
        if form.password and _point_at_password_file(table) not in secrets:
            # another save renamed or removed it between our two reads
            raise ConfigError([f"mail.mailboxes[{index}]: changed meanwhile; try again"])

    edit_config(path, change, secrets)


def remove_mailbox(path: Path | None, index: int) -> None:
    """Drop mailbox `index`, and the password file this page made for it."""
    own_files: list[str] = []

    def change(document: TOMLDocument) -> None:
        table = _existing(document, index)
        if table.get("password_file") == password_file_name(_name_of(table)):
            own_files.append(password_file_name(_name_of(table)))
        boxes = _mailboxes(document, create=False)
        del boxes[index]
        if not boxes:  # an empty array of tables would be written as a stray dotted key
            del document["mail"]["mailboxes"]

    edit_config(path, change)
    if path is not None:
        for name in own_files:
            (path.parent / name).unlink(missing_ok=True)


def saved_mailboxes(path: Path) -> list[MailboxSettings]:
    """The mailboxes aspa.toml holds now (saved changes show before a restart)."""
    return list(load_config(path).mail.mailboxes)


def saved_password(path: Path, index: int) -> str:
    """The stored password of mailbox `index`, read from aspa.toml or its password file."""
    boxes = saved_mailboxes(path)
    if not 0 <= index < len(boxes):
        raise NotFound(f"no such mailbox: {index + 1}")
    return boxes[index].password
