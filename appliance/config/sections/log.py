"""The `[log]` section: how much the daemon writes to the journal."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import one_of, setting

LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class LogSettings:
    """The log level."""

    level: str = setting(
        "info", "Least important log lines written: debug, info, warning or error",
        check=one_of(*LEVELS),
    )
