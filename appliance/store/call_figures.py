"""The call queue's figures: service level, answer rate, waits, abandoned (from Call rows).

Service level follows the usual contact-centre definition (Freshcaller's, for
one): calls answered within N seconds over calls offered, with short
abandons (caller gone within a few seconds, often a misdial) left out of both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from appliance.store.models import Call

SERVICE_LEVEL_S = 30.0  # answered within this counts towards the service level
SHORT_ABANDON_S = 5.0  # abandoned sooner than this does not count at all
_REACHED_AGENT = ("answered", "deflected")


@dataclass(frozen=True, slots=True)
class CallSample:
    """What the figures need of one call."""

    outcome: str
    wait_s: float


@dataclass(frozen=True, slots=True)
class CallFigures:
    """The queue's figures over some period."""

    offered: int = 0  # calls that count (short abandons left out)
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    overflowed: int = 0
    interrupted: int = 0
    average_wait_s: float = 0.0
    longest_wait_s: float = 0.0

    @property
    def service_level(self) -> float | None:
        """Share of counted calls answered within the threshold; None with no calls."""
        return self.answered_in_time / self.offered if self.offered else None

    @property
    def answer_rate(self) -> float | None:
        """Share of counted calls an agent took; None with no calls."""
        return self.answered / self.offered if self.offered else None


def figures(
    samples: Iterable[CallSample],
    *,
    service_level_s: float = SERVICE_LEVEL_S,
    short_abandon_s: float = SHORT_ABANDON_S,
) -> CallFigures:
    """The figures of these calls."""
    offered = answered = in_time = abandoned = overflowed = interrupted = 0
    total_wait = longest = 0.0
    for sample in samples:
        if sample.outcome == "abandoned" and sample.wait_s < short_abandon_s:
            continue
        offered += 1
        total_wait += sample.wait_s
        longest = max(longest, sample.wait_s)
        if sample.outcome in _REACHED_AGENT:
            answered += 1
            if sample.wait_s <= service_level_s:
                in_time += 1
        elif sample.outcome == "abandoned":
            abandoned += 1
        elif sample.outcome == "overflowed":
            overflowed += 1
        elif sample.outcome == "interrupted":
            interrupted += 1
    return CallFigures(
        offered=offered,
        answered=answered,
        answered_in_time=in_time,
        abandoned=abandoned,
        overflowed=overflowed,
        interrupted=interrupted,
        average_wait_s=total_wait / offered if offered else 0.0,
        longest_wait_s=longest,
    )


def call_figures_between(
    start: datetime, end: datetime, *, service_level_s: float = SERVICE_LEVEL_S
) -> CallFigures:
    """Figures of the incoming calls offered in [start, end). Blocking: run in the store thread."""
    rows = (
        Call.select(Call.outcome, Call.wait_seconds)
        .where(
            (Call.direction == "in")
            & (Call.offered_at >= start)
            & (Call.offered_at < end)
            & Call.outcome.is_null(False)
        )
        .tuples()
        .iterator()
    )
    return figures(
        (CallSample(outcome, wait) for outcome, wait in rows), service_level_s=service_level_s
    )
