"""The lines port: what the rest of the box asks of the phone lines besides calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class NoLineUp(ConnectionError):
    """No line that can do it is up right now."""


class LinesPort(Protocol):
    """SMS out and the SIM's stored messages, on whichever line can (the runtime's lines)."""

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Send an SMS on the first line that is up; its message references. NoLineUp if none."""

    async def sweep_sim(self, is_theirs: Callable[[str], bool]) -> int:
        """Delete every SMS still stored on a SIM whose sender `is_theirs`; how many went."""
