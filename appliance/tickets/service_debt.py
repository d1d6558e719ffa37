"""Service debt per day: open at the start of the day + new − resolved.

Days are local days of the box's time zone. Each day's open_at_start is the
previous day's debt, so the series is one running balance of open work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from appliance.tickets.errors import TicketError


@dataclass(frozen=True, slots=True)
class DayFigure:
    """One day of the series; `debt` is the open work carried into the next day."""

    day: date
    open_at_start: int
    new: int
    resolved: int
    debt: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "debt", self.open_at_start + self.new - self.resolved)


@dataclass(frozen=True, slots=True)
class TicketSpan:
    """When a ticket arrived and when it was (last) resolved, if it was."""

    created_at: datetime
    resolved_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.resolved_at is not None and self.resolved_at < self.created_at:
            raise TicketError(
                f"ticket resolved at {self.resolved_at} before it was created at {self.created_at}"
            )


def next_day_figure(previous: DayFigure, new: int, resolved: int) -> DayFigure:
    """The figure of the day after `previous`, carrying its debt forward."""
    return DayFigure(previous.day + timedelta(days=1), previous.debt, new, resolved)


def service_debt_series(
    tickets: Iterable[TicketSpan], first_day: date, last_day: date, zone: tzinfo
) -> list[DayFigure]:
    """The day-by-day series from `first_day` to `last_day` inclusive, in local days of `zone`."""
    if last_day < first_day:
        raise TicketError(f"last day {last_day} is before first day {first_day}")
    open_before = 0
    new_by_day: Counter[date] = Counter()
    resolved_by_day: Counter[date] = Counter()
    for ticket in tickets:
        created = ticket.created_at.astimezone(zone).date()
        resolved_at = ticket.resolved_at
        resolved = None if resolved_at is None else resolved_at.astimezone(zone).date()
        if created > last_day or (resolved is not None and resolved < first_day):
            continue
        if created < first_day:
            open_before += 1
        else:
            new_by_day[created] += 1
        if resolved is not None and resolved <= last_day:
            resolved_by_day[resolved] += 1
    figure = DayFigure(first_day, open_before, new_by_day[first_day], resolved_by_day[first_day])
    series = [figure]
    while figure.day < last_day:
        day = figure.day + timedelta(days=1)
        figure = next_day_figure(figure, new_by_day[day], resolved_by_day[day])
        series.append(figure)
    return series
