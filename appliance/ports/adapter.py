"""The one seam every edge part plugs into the daemon through: GSM, mail, MQTT, GPIO, web."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class AdapterHealth:
    """What `aspa doctor` and the web page show for one part."""

    ok: bool
    detail: str = ""


@runtime_checkable
class Adapter(Protocol):
    """An edge part the daemon starts, watches and stops."""

    @property
    def name(self) -> str: ...

    async def start(self) -> None:
        """Connect and begin work; raise with a readable reason when that fails."""

    async def stop(self) -> None:
        """Stop and release what start() took; safe after a failed or partial start."""

    def health(self) -> AdapterHealth:
        """The part's state right now, in words an installer understands."""


@runtime_checkable
class InputGate(Protocol):
    """An adapter that can stop taking new input before the bus is drained."""

    async def stop_input(self) -> None:
        """Refuse new input (calls, mail, clicks); keep serving what is under way."""
