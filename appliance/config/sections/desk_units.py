"""The `[[desk_units]]` list: Pico W desk units paired to agents, each with its own broker login."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from appliance.config.schema import setting
from appliance.config.secret_files import masked_repr
from appliance.config.shown_value import shown

# The unit id is its MQTT user name and one topic level: keep it to [a-z0-9-].
UNIT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def unit_id(value: Any) -> str | None:
    """A desk unit id: lowercase letters, digits and '-'."""
    if UNIT_ID.fullmatch(value):
        return None
    return f"must be lowercase letters, digits and '-' (at most 63), not {shown(value)}"


def _login(value: Any) -> str | None:
    if _LOGIN.fullmatch(value):
        return None
    return f"must be an agent login (lowercase letters, digits, '.', '_', '-'), not {shown(value)}"


@dataclass(frozen=True)
class DeskUnitSettings:
    """One desk unit and the agent it shows and sets."""

    id: str = setting(doc="Unit id, also its MQTT user name, e.g. 'desk-anna'", check=unit_id)
    agent: str = setting(doc="Login of the agent this unit is paired to", check=_login)
    password: str = setting("", "The unit's MQTT password (or use password_file)")
    password_file: str = setting("", "File holding the unit's MQTT password, read at start")

    __repr__ = masked_repr
