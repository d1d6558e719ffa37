"""Cross-key checks of the desk parts: unit ids unique, every paired agent configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.config.shown_value import shown

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config


def desk_problems(config: Config) -> list[str]:
    """Each problem of [[desk_units]] and [[gpio.desks]], naming the key to fix."""
    logins = [a.login for a in config.agents if a is not None]
    known = f"known: {', '.join(logins)}" if logins else "no [[agents]] are configured"
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, unit in enumerate(config.desk_units):
        if unit is None:
            continue
        if unit.id in seen:
            problems.append(f"desk_units[{i}].id: {shown(unit.id)} is already used by "
                            f"desk_units[{seen[unit.id]}]")
        seen.setdefault(unit.id, i)
        if unit.id == config.mqtt.username:
            problems.append(f"desk_units[{i}].id: {shown(unit.id)} is the box's own MQTT user name")
        if unit.agent not in logins:
            problems.append(f"desk_units[{i}].agent: {shown(unit.agent)} is not the login of any "
                            f"[[agents]] ({known})")
    for i, desk in enumerate(config.gpio.desks):
        if desk is not None and desk.agent not in logins:
            problems.append(f"gpio.desks[{i}].agent: {shown(desk.agent)} is not the login of any "
                            f"[[agents]] ({known})")
    return problems
