"""Changing aspa.toml from the web: one change, the whole file checked, then an atomic write."""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.config.aspa_toml import config_from_mapping
from appliance.config.schema import ConfigError

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

Change = Callable[["TOMLDocument"], None]

SECRET_FILE_MODE = 0o600
_EDIT_LOCK = threading.Lock()  # two admins saving at once: one read-change-write after the other


class ConfigReadOnly(Exception):
    """This box runs without a config file (defaults or the demo): nothing can be written."""


def edit_config(path: Path | None, change: Change,
                secret_files: Mapping[str, str] | None = None) -> None:
    """Apply `change` to the file; write it only if the real loader accepts the whole result.

    `secret_files` maps a plain file name beside aspa.toml to the secret it is to hold (a
    `*_file` key of the change names it). The files are checked with the rest and written,
    mode 0600, only when the whole change is accepted.

    Raises ConfigError (every problem as `key.path: what`) and leaves the file untouched
    when the result is not valid; ConfigReadOnly when there is no file.
    """
    if path is None:
        raise ConfigReadOnly("settings are read-only here: Aspa was started without aspa.toml")
    with _EDIT_LOCK:
        _edit(path, change, dict(secret_files or {}))


def _edit(path: Path, change: Change, secret_files: dict[str, str]) -> None:
    # tomlkit (~0.8 MB resident) is imported by the edits themselves, here and in the forms'
    # changes, not at start: an idle box need not hold it for pages an admin rarely saves
    import tomlkit

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
    folder = path.absolute().parent
    staged = {name: _stage_secret(folder, name, secret) for name, secret in secret_files.items()}
    try:
        # The loader reads each `*_file` secret: let it read the staged files in their place.
        data = _with_files_renamed(document.unwrap(), {n: str(p) for n, p in staged.items()})
        config_from_mapping(data, folder, source)
        for name, staged_path in staged.items():
            os.replace(staged_path, folder / name)
        staged.clear()
        _write_atomically(path, tomlkit.dumps(document))
    finally:
        for staged_path in staged.values():
            staged_path.unlink(missing_ok=True)


def secret_file_name(name: str) -> str:
    """`name` if it is a plain, visible file name (no folder, no dot file); else ValueError."""
    if not name or Path(name).name != name or name.startswith(".") or "\\" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    return name


def _stage_secret(folder: Path, name: str, secret: str) -> Path:
    """The secret in a private temp file beside aspa.toml, synced, not yet under its name."""
    secret_file_name(name)
    handle, temp_name = tempfile.mkstemp(prefix=f".{name}.", dir=folder)  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            temp.write(secret + "\n")
            temp.flush()
            os.fsync(temp.fileno())
        os.chmod(temp_name, SECRET_FILE_MODE)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return Path(temp_name)


def _with_files_renamed(value: Any, names: Mapping[str, str]) -> Any:
    """A copy of parsed TOML where each `*_file` key naming a staged file names its temp file."""
    if isinstance(value, dict):
        return {key: (names[item] if key.endswith("_file") and isinstance(item, str)
                      and item in names else _with_files_renamed(item, names))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_with_files_renamed(item, names) for item in value]
    return value


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
