"""The machinery behind aspa.toml: settings declared as dataclasses, checked key by key.

A section is a frozen dataclass whose fields are made with `setting()`. The
loader walks the TOML data against the dataclass types and reports every
problem as `key.path: what is wrong`, never stopping at the first.
Packages declare their own sections (e.g. `appliance/gsm/settings.py`) with
this module only, so that `appliance.config` can gather them without cycles.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from typing import Any, TypeVar, Union, get_args, get_origin

from appliance.config.shown_value import shown

T = TypeVar("T")

Check = Callable[[Any], str | None]  # returns what is wrong, or None


class ConfigError(Exception):
    """The configuration has problems; `problems` holds one `key.path: what` per line."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + p for p in problems))


def setting(default: Any = MISSING, doc: str = "", *, check: Check | None = None,
            factory: Callable[[], Any] | None = None) -> Any:
    """Declare one key: its default, a one-line description and an optional check."""
    meta = {"doc": doc, "check": check}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# --- reusable checks ---------------------------------------------------------


def one_of(*allowed: str) -> Check:
    def check(value: Any) -> str | None:
        if value in allowed:
            return None
        return f"must be one of {', '.join(allowed)}, not {shown(value)}"

    return check


def in_range(low: float | None = None, high: float | None = None) -> Check:
    def check(value: Any) -> str | None:
        if low is not None and value < low:
            return f"must be at least {low}, not {value}"
        if high is not None and value > high:
            return f"must be at most {high}, not {value}"
        return None

    return check


def non_empty(value: Any) -> str | None:
    return "must not be empty" if not value else None


# --- loading -------------------------------------------------------------------


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _type_name(tp: Any) -> str:
    if tp in _TYPE_NAMES:
        return _TYPE_NAMES[tp]
    origin = get_origin(tp)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return getattr(tp, "__name__", str(tp))


def _is_optional(tp: Any) -> tuple[bool, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(get_args(tp)) == 2:
            return True, args[0]
    return False, tp


def _convert(value: Any, tp: Any, path: str, problems: list[str]) -> Any:
    optional, inner = _is_optional(tp)
    if value is None:
        if optional:
            return None
        problems.append(f"{path}: must be {_type_name(inner)}")
        return MISSING
    tp = inner
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            problems.append(f"{path}: must be a table, not {type(value).__name__}")
            return MISSING
        return load_section(tp, value, path, problems)  # type: ignore[arg-type]
    if origin is list:
        (item_type,) = get_args(tp)
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list, not {type(value).__name__}")
            return MISSING
        items = [_convert(v, item_type, f"{path}[{i}]", problems) for i, v in enumerate(value)]
        return [i for i in items if i is not MISSING]
    if origin is dict:
        _key_type, value_type = get_args(tp)
        if not isinstance(value, dict):
            problems.append(f"{path}: must be a table, not {type(value).__name__}")
            return MISSING
        out = {}
        for k, v in value.items():
            converted = _convert(v, value_type, f"{path}.{k}", problems)
            if converted is not MISSING:
                out[k] = converted
        return out
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is Any:
        return value
    if tp in (str, int, float, bool):
        if isinstance(value, bool) != (tp is bool) or not isinstance(value, tp):
            problems.append(
                f"{path}: must be {_type_name(tp)}, not {type(value).__name__} {shown(value)}")
            return MISSING
        return value
    problems.append(f"{path}: unsupported setting type {tp!r}")
    return MISSING


def load_section(cls: type[T], data: dict[str, Any], path: str, problems: list[str]) -> T:
    """Build section `cls` from TOML data, appending every problem to `problems`."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    prefix = f"{path}." if path else ""
    kwargs: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            problems.append(f"{prefix}{key}: unknown key (known here: {known})")
    for name, f in fields.items():
        key_path = f"{prefix}{name}"
        if name not in data:
            if f.default is MISSING and f.default_factory is MISSING:
                problems.append(f"{key_path}: required")
            continue
        value = _convert(data[name], hints[name], key_path, problems)
        if value is MISSING:
            continue
        check = f.metadata.get("check")
        if check is not None and value is not None:
            wrong = check(value)
            if wrong:
                problems.append(f"{key_path}: {wrong}")
                continue
        kwargs[name] = value
    try:
        section = cls(**kwargs)
    except TypeError:
        # a required key was missing or wrong: return the defaults so checking can go on
        section = _defaults_or_none(cls)
    validate = getattr(section, "validate", None)
    if callable(validate) and section is not None:
        for problem in validate():
            problems.append(f"{prefix}{problem}")
    return section


def _defaults_or_none(cls: type[T]) -> Any:
    try:
        return cls()
    except TypeError:
        return None


def describe(cls: type[Any], path: str = "") -> list[tuple[str, str, Any]]:
    """Every key of a section (recursively): (key.path, doc, default)."""
    rows: list[tuple[str, str, Any]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{path}.{f.name}" if path else f.name
        _, tp = _is_optional(hints[f.name])
        if dataclasses.is_dataclass(tp):
            rows.extend(describe(tp, key))  # type: ignore[arg-type]
            continue
        if get_origin(tp) is list and dataclasses.is_dataclass(get_args(tp)[0]):
            rows.extend(describe(get_args(tp)[0], f"{key}[]"))
            continue
        default = f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else None)
        rows.append((key, f.metadata.get("doc", ""), default))
    return rows


__all__ = [
    "ConfigError",
    "dataclass",
    "describe",
    "in_range",
    "load_section",
    "non_empty",
    "one_of",
    "setting",
]
