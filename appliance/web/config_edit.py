"""Changing aspa.toml from the web: one change, the whole file checked, then an atomic write."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

import tomlkit
from tomlkit.toml_document import TOMLDocument

from appliance.config import config_from_mapping
from appliance.config_schema import ConfigError

Change = Callable[[TOMLDocument], None]


class ConfigReadOnly(Exception):
    """This box runs without a config file (defaults or the demo): nothing can be written."""


def edit_config(path: Path | None, change: Change) -> None:
    """Apply `change` to the file; write it only if the real loader accepts the whole result.

    Raises ConfigError (every problem as `key.path: what`) and leaves the file untouched
    when the result is not valid; ConfigReadOnly when there is no file.
    """
    if path is None:
        raise ConfigReadOnly("settings are read-only here: Aspa was started without aspa.toml")
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"cannot read the file: {error}"], source) from error
    try:
        document = tomlkit.parse(text)  # keeps the installer's comments and layout
    except tomlkit.exceptions.ParseError as error:
        raise ConfigError([f"TOML syntax: {error}"], source) from error
    change(document)
    config_from_mapping(document.unwrap(), path.absolute().parent, source)
    _write_atomically(path, tomlkit.dumps(document))


def _write_atomically(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, rename: a crash leaves the old or the new file."""
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, mode)  # the file may hold a PIN: keep its owner-only mode
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)
