"""The SMS inbox port: a received message as a line hands it over, and who takes it.

A modem deletes a message from its SIM only after the sink has returned, so a
sink that fails keeps the message for another try.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class IncomingSms:
    """A received message (or a part we could not decode, with `error` set), kept until stored."""

    line: str
    number: str
    text: str
    timestamp: datetime | None
    received_at: datetime
    sim_indexes: tuple[int, ...]
    raw_pdus: tuple[str, ...]
    complete: bool = True
    error: str | None = None


SmsSink = Callable[[IncomingSms], Awaitable[None]]
