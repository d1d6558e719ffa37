"""The log level from aspa.toml, applied at start and again when the settings change it."""

from __future__ import annotations

import logging


def use_log_level(level: str) -> None:
    """Log at aspa.toml's log.level, unless `--debug` already asked for everything."""
    root = logging.getLogger()
    if root.level != logging.DEBUG:
        root.setLevel(level.upper())
