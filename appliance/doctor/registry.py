"""The doctor's checks: each part registers a function that reports its findings.

A part adds a row by defining, in its own package, e.g. `appliance/gsm/doctor.py`:

    @doctor_check("gsm")
    def modem_answers(config: Config) -> Finding: ...

and naming that module in PART_MODULES, which `run_checks` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config

Status = Literal["ok", "warn", "fail", "off"]  # off = the part is not configured

# Modules that register checks when imported; a module not written yet is skipped.
PART_MODULES = (
    "appliance.doctor.core_checks",
    "appliance.doctor.data_partition",
    "appliance.backup.doctor",
    "appliance.gsm.doctor",
    "appliance.voip.doctor",
    "appliance.mail.doctor",
    "appliance.mqtt.doctor",
    "appliance.gpio.doctor",
    "appliance.web.doctor",
)


@dataclass(frozen=True)
class Finding:
    """One row of the doctor's report."""

    part: str
    status: Status
    detail: str


DoctorCheck = Callable[["Config"], Finding | Iterable[Finding]]

_CHECKS: dict[str, tuple[str, DoctorCheck]] = {}


def doctor_check(part: str) -> Callable[[DoctorCheck], DoctorCheck]:
    """Register a check for `part`; registering the same function again replaces it."""

    def register(check: DoctorCheck) -> DoctorCheck:
        _CHECKS[f"{check.__module__}.{check.__qualname__}"] = (part, check)
        return check

    return register


def load_part_modules(modules: Iterable[str] = PART_MODULES) -> None:
    """Import the modules that register checks; skip those that do not exist (yet)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            missing = error.name or ""
            if missing != name and not name.startswith(f"{missing}."):
                raise  # the module exists but something it imports is missing: a real fault


def run_checks(config: Config, parts: Iterable[str] | None = None,
               modules: Iterable[str] = PART_MODULES) -> list[Finding]:
    """Run every registered check (or those of `parts`); a crash becomes a `fail` row."""
    load_part_modules(modules)
    wanted = None if parts is None else set(parts)
    findings: list[Finding] = []
    for part, check in list(_CHECKS.values()):
        if wanted is not None and part not in wanted:
            continue
        try:
            result = check(config)
        except Exception as error:  # the report must go on: say which check broke and how
            findings.append(Finding(part, "fail", f"check failed: {type(error).__name__}: {error}"))
            continue
        findings.extend([result] if isinstance(result, Finding) else result)
    return findings
