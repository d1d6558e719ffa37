"""The lines port: what the rest of the box asks of the phone lines besides calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class NoLineUp(ConnectionError):
    """No line that can do it is up right now."""


@dataclass(frozen=True, slots=True)
class SmsParts:
    """How an SMS text goes out: its alphabet (gsm7 or ucs2), parts and characters counted
    as the network does (septets or UTF-16 units)."""

    alphabet: str
    parts: int
    units: int


class LinesPort(Protocol):
    """SMS out and the SIM's stored messages, on whichever line can (the runtime's lines)."""

    async def send_sms(self, number: str, text: str) -> tuple[int, ...]:
        """Send an SMS on the first line that is up; its message references. NoLineUp if none."""

    def sms_parts(self, text: str) -> SmsParts:
        """How many parts `text` takes, in which alphabet (3GPP TS 23.040 §9.2.3.24.1)."""

    async def sweep_sim(self, is_theirs: Callable[[str], bool]) -> int:
        """Delete every SMS still stored on a SIM whose sender `is_theirs`; how many went."""

    async def unblock_sim(self, line: str, puk: str, new_pin: str) -> None:
        """Open line `line`'s SIM, locked after wrong PINs, with its PUK and set `new_pin`;
        the line then starts with it. SimUnblockRefused says why it did not work."""


class SimUnblockRefused(Exception):
    """Unblocking a SIM with its PUK did not work; `reason` is one word the page translates.

    Reasons: no_such_line, not_locked (the SIM does not ask for its PUK), no_modem (the
    port cannot be opened), bad_format (a PUK has 8 digits, a PIN 4 to 8), wrong_puk
    (`tries_left` says how many remain, when the modem tells), sim_dead (ten wrong PUKs).
    """

    def __init__(self, reason: str, detail: str = "", tries_left: int | None = None) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.tries_left = tries_left
