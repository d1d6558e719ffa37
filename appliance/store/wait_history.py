"""How long callers waited, per local day or per hour of the day: median and 90th percentile.

Every incoming call counts with its wait: until an agent answered, or until it ended
unanswered (abandoned, overflowed). Blocking.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, cast

from appliance.store.models import Call

BY = ("day", "hour")


@dataclass(frozen=True, slots=True)
class WaitFigures:
    """The waits of one day (2026-03-10) or one hour of the day (09)."""

    label: str
    calls: int
    median_s: float | None
    p90_s: float | None

    def json(self) -> dict[str, Any]:
        return {"period": self.label, "calls": self.calls, "wait_median_s": self.median_s,
                "wait_p90_s": self.p90_s}


def p90(values: list[float]) -> float:
    """The 90th percentile by the nearest-rank method: a wait 90 % of callers did not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def wait_history(first_day: date, last_day: date, zone: tzinfo, *,
                 by: str = "day") -> list[WaitFigures]:
    """Every day from `first_day` to `last_day` (or every hour 00-23), oldest first."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    start = datetime.combine(first_day, datetime.min.time(), zone)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone)
    waits: dict[str, list[float]] = defaultdict(list)
    rows = (Call.select(Call.offered_at, Call.wait_seconds)
            .where((Call.offered_at >= start) & (Call.offered_at < end)
                   & (Call.direction == "in") & Call.outcome.is_null(False)).tuples())
    for offered, wait in cast(Iterable[tuple[Any, float]], rows):
        local = Call.offered_at.python_value(offered).astimezone(zone)
        waits[local.date().isoformat() if by == "day" else f"{local.hour:02d}"].append(wait)
    if by == "day":
        labels = [(first_day + timedelta(days=i)).isoformat()
                  for i in range((last_day - first_day).days + 1)]
    else:
        labels = [f"{hour:02d}" for hour in range(24)]
    return [WaitFigures(label, len(waits[label]),
                        round(statistics.median(waits[label]), 1) if waits[label] else None,
                        round(p90(waits[label]), 1) if waits[label] else None)
            for label in labels]
