"""The SIM PIN guard: one try per configured PIN, never a guess, remembered across restarts.

A SIM allows three PIN tries, then wants its PUK (3GPP TS 31.101 §9.1);
a box restarting in a loop with a wrong PIN would lock it in three starts.
So before entering a PIN the guard reads the tries left with the command
the module really has, and refuses when they are fewer than three; it
writes "attempting" to its file before the PIN goes out, so a crash or
power cut mid-try counts as a failed try; a refused PIN is remembered (by a
hash, never the PIN) and never sent again until the installer changes it
or recovers the SIM with the PUK.

The tries-left commands, per manual:
- SIMCom SIM800 and SIM7500/SIM7600 AT Command Manuals, AT+SPIC ("times
  remain to input SIM PIN/PUK"): `+SPIC: <pin1>,...`; the first number is
  the PIN1 count on both (the order of the others differs between the two
  manuals, so only the first is read).
- Quectel EC2x AT Commands Manual, AT+QPINC: `AT+QPINC="SC"` ->
  `+QPINC: "SC",<pin tries>,<puk tries>`.
- 3GPP TS 27.007 §8.65 AT+CPINR: `+CPINR: SIM PIN,<retries>,<default>`,
  where the firmware has it (the generic fallback).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

FULL_PIN_TRIES = 3


@dataclass(frozen=True, slots=True)
class TriesQuery:
    """A model's command for the PIN tries left and the prefix of its answer."""

    command: str
    prefix: str
    field: int  # index of the PIN1 count among the fields after the prefix


SPIC = TriesQuery("AT+SPIC", "+SPIC:", 0)
QPINC = TriesQuery('AT+QPINC="SC"', "+QPINC:", 1)
CPINR = TriesQuery('AT+CPINR="SIM PIN"', "+CPINR:", 1)


def parse_tries(query: TriesQuery, value: str | None) -> int | None:
    """The PIN1 tries from the text after the prefix, or None."""
    if value is None:
        return None
    fields = [f.strip().strip('"') for f in value.split(",")]
    if len(fields) > query.field and fields[query.field].isdigit():
        return int(fields[query.field])
    return None


def pin_digest(pin: str) -> str:
    return hashlib.sha256(f"aspa-sim-pin:{pin}".encode()).hexdigest()[:16]


class PinMemory:
    """What the guard remembers per line; in a JSON file when `path` is given."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._state: dict[str, dict[str, str]] = {}
        if path is not None and path.exists():
            try:
                self._state = json.loads(path.read_text())
            except (OSError, ValueError):
                # an unreadable memory must not fail open: treat every line as refused
                self._state = {"*": {"refused": "unreadable", "reason": f"{path} is unreadable"}}

    def refusal(self, line: str, pin: str) -> str | None:
        """Why this PIN must not be sent on this line, or None."""
        entry = self._state.get(line) or self._state.get("*")
        if entry is None:
            return None
        if entry.get("refused") in (pin_digest(pin), "unreadable"):
            return entry.get("reason", "the SIM refused this PIN before")
        if entry.get("attempting"):
            return ("a PIN try was under way when Aspa stopped; it may have failed. Check the "
                    "SIM in a phone, then clear the refusal on the setup page")
        return None

    def attempting(self, line: str, pin: str) -> None:
        self._state[line] = {"attempting": pin_digest(pin)}
        self._save()

    def succeeded(self, line: str) -> None:
        self._state.pop(line, None)
        self._save()

    def refused(self, line: str, pin: str, reason: str) -> None:
        self._state[line] = {"refused": pin_digest(pin), "reason": reason}
        self._save()

    def clear(self, line: str) -> None:
        """The installer recovered the SIM (PUK and new PIN): forget the refusal."""
        self._state.pop(line, None)
        self._state.pop("*", None)
        self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(json.dumps(self._state))
        os.replace(partial, self.path)
