"""Checks that span sections: ring groups against agents, overflow chains, GPIO pins."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from appliance.config.shown_value import shown

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config

T = TypeVar("T")


def cross_key_problems(config: Config) -> list[str]:
    """Every cross-key problem of a whole configuration, each naming the key to fix."""
    return [
        *_duplicates([(i, a.login) for i, a in _built(config.agents)], "agents", "login"),
        *_duplicates([(i, g.name) for i, g in _built(config.ring_groups)], "ring_groups", "name"),
        *_members_are_agents(config),
        *_members_are_reachable(config),
        *_overflow_targets(config),
        *_default_group(config),
        *duplicate_gpio_pins(config.gpio, "gpio"),
        *_desk_problems(config),
    ]


def _built(items: list[T]) -> list[tuple[int, T]]:
    """(index, entry) of the entries that could be built; a broken one is reported already."""
    return [(i, item) for i, item in enumerate(items) if item is not None]


def _duplicates(values: list[tuple[int, str]], list_key: str, key: str) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for i, value in values:
        if value in first:
            problems.append(
                f"{list_key}[{i}].{key}: {shown(value)} is already used by "
                f"{list_key}[{first[value]}]")
        else:
            first[value] = i
    return problems


def _known(names: list[str]) -> str:
    return f"known: {', '.join(names)}" if names else "none is configured"


def _members_are_agents(config: Config) -> list[str]:
    logins = [a.login for _, a in _built(config.agents)]
    return [
        f"ring_groups[{g}].members[{m}]: {shown(login)} is not the login of any [[agents]] "
        f"({_known(logins)})"
        for g, group in _built(config.ring_groups)
        for m, login in enumerate(group.members)
        if login not in logins
    ]


def _members_are_reachable(config: Config) -> list[str]:
    problems = []
    for i, agent in _built(config.agents):
        groups = [g.name for _, g in _built(config.ring_groups) if agent.login in g.members]
        if groups and not agent.reachable:
            names = ", ".join(map(repr, groups))
            problems.append(f"agents[{i}].phone: {shown(agent.login)} is in ring group {names} "
                            f"but has neither phone nor sip_uri to ring")
    return problems


def _overflow_targets(config: Config) -> list[str]:
    groups = _built(config.ring_groups)
    names = [g.name for _, g in groups]
    chain_of = {g.name: g.overflow_group for _, g in groups}
    problems = []
    reported_loops: set[frozenset[str]] = set()
    for i, group in groups:
        target = group.overflow_group
        if target is None or target == group.name:
            continue  # none, or a self-loop the group itself reports
        if target not in names:
            problems.append(f"ring_groups[{i}].overflow: no ring group is named {shown(target)} "
                            f"({_known(names)})")
            continue
        path = [group.name]
        while target is not None and target in chain_of and target not in path:
            path.append(target)
            target = chain_of[target]
        if target == group.name and frozenset(path) not in reported_loops:
            reported_loops.add(frozenset(path))
            problems.append(f"ring_groups[{i}].overflow: overflows go round in a loop "
                            f"({' -> '.join([*path, group.name])}); end one with callback "
                            f"or voicemail")
    return problems


def _default_group(config: Config) -> list[str]:
    wanted = config.queue.default_group
    names = [g.name for _, g in _built(config.ring_groups)]
    if wanted and wanted not in names:
        return [f"queue.default_group: no ring group is named {shown(wanted)} ({_known(names)})"]
    return []


def duplicate_gpio_pins(section: Any, path: str) -> list[str]:
    """Every GPIO pin number used by two keys (integer keys named `pin` or `*_pin`)."""
    used: dict[int, str] = {}
    problems = []
    for key, pin in _pin_keys(section, path):
        if pin in used:
            problems.append(f"{key}: GPIO {pin} is already used by {used[pin]}")
        else:
            used[pin] = key
    return problems


def _pin_keys(section: Any, path: str) -> list[tuple[str, int]]:
    if not dataclasses.is_dataclass(section) or isinstance(section, type):
        return []
    found: list[tuple[str, int]] = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        key = f"{path}.{f.name}"
        is_pin_name = f.name == "pin" or f.name.endswith("_pin")
        if is_pin_name and isinstance(value, int) and not isinstance(value, bool):
            found.append((key, value))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                found.extend(_pin_keys(item, f"{key}[{i}]"))
        else:
            found.extend(_pin_keys(value, key))
    return found


def _desk_problems(config: Config) -> list[str]:
    from appliance.config.desk_checks import desk_problems

    return desk_problems(config)
