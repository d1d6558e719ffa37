"""Import the module behind a command, saying plainly when this installation lacks it."""

from __future__ import annotations

import importlib
from types import ModuleType

from appliance.commands.errors import CommandError


def import_for_command(module: str, command: str) -> ModuleType:
    """Import `module`; a CommandError names `command` if the module is not installed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing == module or module.startswith(f"{missing}."):
            raise CommandError(f"`aspa {command}` is not available: this installation has no "
                               f"{module}") from error
        raise
