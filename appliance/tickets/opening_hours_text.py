"""The office's weekly opening hours as one line a customer reads: "Mon–Fri 08:00–16:00".

Days in a row with the same hours are written as a range; closed days are left out.
The words and the clock's style come from the caller (the reply's language).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import time

Interval = tuple[time, time]
DASH = "–"  # en dash, for ranges of days and of hours in Finnish and English alike


def _is_midnight_end(end: time) -> bool:
    return end in (time(0), time.max)


def _hours(intervals: Sequence[Interval], clock: Callable[[time], str],
           midnight: str) -> str:
    return ", ".join(f"{clock(start)}{DASH}{midnight if _is_midnight_end(end) else clock(end)}"
                     for start, end in intervals)


def opening_hours_text(weekly: Mapping[int, Iterable[Interval]], day_names: Sequence[str],
                       clock: Callable[[time], str], *, midnight: str = "24:00",
                       separator: str = ", ") -> str | None:
    """The week's hours (weekday 0 = Monday, as date.weekday()); None when never open.

    `day_names` are the seven short names from Monday on; `clock` writes a time of day.
    """
    days = [tuple(sorted(weekly.get(day, ()))) for day in range(7)]
    groups: list[tuple[int, int]] = []  # first and last weekday of days in a row alike
    for day in range(7):
        if groups and days[groups[-1][1]] == days[day] and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day)
        else:
            groups.append((day, day))
    parts = []
    for first, last in groups:
        if not days[first]:
            continue
        names = day_names[first] if first == last else f"{day_names[first]}{DASH}{day_names[last]}"
        parts.append(f"{names} {_hours(days[first], clock, midnight)}")
    return separator.join(parts) if parts else None
