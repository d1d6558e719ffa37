"""The box's settings as rows for the admin pages, with every secret hidden."""

from __future__ import annotations

import dataclasses
from typing import Any

SECRET_WORDS = ("password", "secret", "token", "credential")
SECRET_NAMES = ("pin", "puk", "key", "api_key", "private_key")  # a SIM PIN, not a GPIO pin
SECTIONS = ("box", "business_hours", "sla", "ring_groups", "agents", "gsm", "mail", "mqtt",
            "desk_units", "gpio", "backup", "web")
HIDDEN = "••••••"


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_NAMES or any(word in lowered for word in SECRET_WORDS)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted name, shown value) pairs of a settings tree; secrets shown as dots when set."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        rows: list[tuple[str, str]] = []
        for f in dataclasses.fields(value):
            name = f"{prefix}.{f.name}" if prefix else f.name
            item = getattr(value, f.name)
            if is_secret(f.name):
                rows.append((name, HIDDEN if item else ""))
            else:
                rows.extend(flatten(item, name))
        return rows
    if isinstance(value, list | tuple):
        rows = []
        for index, item in enumerate(value):
            rows.extend(flatten(item, f"{prefix}[{index}]"))
        return rows or [(prefix, "(none)")]
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            rows.extend(flatten(item, f"{prefix}.{key}") if not is_secret(str(key))
                        else [(f"{prefix}.{key}", HIDDEN)])
        return rows
    return [(prefix, str(value))]


def summary(config: Any) -> dict[str, list[tuple[str, str]]]:
    """Section name → its rows."""
    if config is None:
        return {}
    return {name: flatten(getattr(config, name), name) for name in SECTIONS
            if hasattr(config, name)}
