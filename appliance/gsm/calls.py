"""Call-state tracking: the calls a modem has, keyed by our id and by the modem's +CLCC index."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CallState(StrEnum):
    """A call's state as the line sees it (TS 27.007 §7.18 <stat>, plus ended)."""

    ACTIVE = "active"
    HELD = "held"
    DIALING = "dialing"
    ALERTING = "alerting"
    INCOMING = "incoming"
    WAITING = "waiting"
    ENDED = "ended"


CLCC_STATES = {0: CallState.ACTIVE, 1: CallState.HELD, 2: CallState.DIALING,
               3: CallState.ALERTING, 4: CallState.INCOMING, 5: CallState.WAITING}
RELEASED = 6  # vendor <stat> for a call that has just ended

_sequence = itertools.count()


@dataclass
class Call:
    """One call on one line."""

    line: str
    incoming: bool
    state: CallState
    started_at: datetime
    number: str | None = None
    number_status: str = "valid"
    index: int | None = None
    call_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    answered_at: datetime | None = None
    offered: bool = False
    planned_outcome: str | None = None  # set before a command that ends it (transfer, reject...)
    seq: int = field(default_factory=lambda: next(_sequence))

    @property
    def is_live(self) -> bool:
        return self.state is not CallState.ENDED

    def outcome(self, fallback: str | None = None) -> str:
        """How the call ended, from the line's point of view."""
        if self.planned_outcome:
            return self.planned_outcome
        if fallback:
            return fallback
        if self.answered_at is not None:
            return "answered"
        return "missed" if self.incoming else "failed"


class CallBook:
    """The live calls of one modem."""

    def __init__(self) -> None:
        self._calls: list[Call] = []

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._calls))

    def __len__(self) -> int:
        return len(self._calls)

    def add(self, call: Call) -> Call:
        self._calls.append(call)
        return call

    def remove(self, call: Call) -> None:
        if call in self._calls:
            self._calls.remove(call)

    def get(self, call_id: str) -> Call | None:
        return next((c for c in self._calls if c.call_id == call_id), None)

    def by_index(self, index: int) -> Call | None:
        return next((c for c in self._calls if c.index == index), None)

    def ringing(self) -> Call | None:
        """The incoming call that is ringing (not waiting), if any."""
        return next((c for c in self._calls if c.state is CallState.INCOMING), None)

    def in_state(self, *states: CallState) -> list[Call]:
        return [c for c in self._calls if c.state in states]

    def unindexed(self, incoming: bool) -> Call | None:
        """The oldest call in this direction whose +CLCC index is not known yet."""
        return next((c for c in self._calls if c.index is None and c.incoming == incoming), None)


def sequence_mark() -> int:
    """A number larger than every call's `seq` so far (calls created later compare greater)."""
    return next(_sequence)
