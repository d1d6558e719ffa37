"""The error a command raises when it cannot do what was asked."""

from __future__ import annotations


class CommandError(Exception):
    """A command failed for a reason the user can fix; the message says what to do."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
