"""Secrets in aspa.toml: `*_file` keys read at load, and reprs that never show a secret."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

# (secret key, key naming a file that holds it): the file wins, both together are an error.
SECRET_PAIRS = (("password", "password_file"), ("url", "url_file"), ("pin", "pin_file"))
_SECRET_KEYS = frozenset(secret for secret, _ in SECRET_PAIRS)


def masked_repr(self: Any) -> str:
    """A dataclass repr with every secret, here and in nested sections, shown as <hidden>."""
    parts = []
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        shown = "<hidden>" if f.name in _SECRET_KEYS and value else _masked(value)
        parts.append(f"{f.name}={shown}")
    return f"{type(self).__name__}({', '.join(parts)})"


def _masked(value: Any) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return masked_repr(value)
    if isinstance(value, list):
        return f"[{', '.join(_masked(item) for item in value)}]"
    return repr(value)


def read_secret_files(section: Any, path: str, base: Path, problems: list[str]) -> Any:
    """Return `section` (and everything inside it) with each `*_file` secret read in."""
    if not dataclasses.is_dataclass(section) or isinstance(section, type):
        return section
    changes: dict[str, Any] = {}
    names = [f.name for f in dataclasses.fields(section)]  # in order, for a stable report
    prefix = f"{path}." if path else ""
    for name in names:
        value = getattr(section, name)
        if isinstance(value, list):
            new_list = [read_secret_files(item, f"{prefix}{name}[{i}]", base, problems)
                        for i, item in enumerate(value)]
            if any(a is not b for a, b in zip(new_list, value, strict=True)):
                changes[name] = new_list
        elif dataclasses.is_dataclass(value):
            new_value = read_secret_files(value, f"{prefix}{name}", base, problems)
            if new_value is not value:
                changes[name] = new_value
    for secret, file_key in SECRET_PAIRS:
        if secret in names and file_key in names and getattr(section, file_key):
            if getattr(section, secret):
                if not _reported(problems, f"{prefix}{secret}", f"{prefix}{file_key}"):
                    problems.append(f"{prefix}{file_key}: set {secret} or {file_key}, not both")
                continue
            file = base / getattr(section, file_key)
            text = _read_secret(file, f"{prefix}{file_key}", problems)
            if text is not None:
                # the absolute path, so a part that reads the file again finds the same one
                changes[secret], changes[file_key] = text, str(file)
    return dataclasses.replace(section, **changes) if changes else section


def _reported(problems: list[str], *keys: str) -> bool:
    """Whether a section's own validate() already named one of these keys."""
    return any(p.startswith(f"{key}: ") for p in problems for key in keys)


def _read_secret(file: Path, key: str, problems: list[str]) -> str | None:
    try:
        text = file.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        problems.append(f"{key}: cannot read {file}: {reason}")
        return None
    if not text:
        problems.append(f"{key}: {file} is empty")
        return None
    return text
