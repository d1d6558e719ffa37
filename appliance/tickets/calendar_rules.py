"""The pieces of a business calendar, and the check that finds problems in them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_HOLIDAY_DAYS = 366  # a longer closure is almost certainly a typo in a year


@dataclass(frozen=True, slots=True)
class OpenInterval:
    """Local wall-clock opening hours within one day; an `end` of time(0) or time.max is 24:00."""

    start: time
    end: time

    @property
    def ends_at_midnight(self) -> bool:
        """True when the interval runs to the end of the day (24:00)."""
        return self.end in (time(0), time.max)

    @property
    def start_minute(self) -> int:
        """Minutes from local midnight to the opening."""
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        """Minutes from local midnight to the closing (1440 for 24:00)."""
        if self.ends_at_midnight:
            return 24 * 60
        return self.end.hour * 60 + self.end.minute

    def __str__(self) -> str:
        end = "24:00" if self.ends_at_midnight else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


@dataclass(frozen=True, slots=True)
class Holiday:
    """Whole local days closed, from `first` to `last` inclusive."""

    first: date
    last: date
    name: str = ""

    @classmethod
    def on(cls, day: date, name: str = "") -> Holiday:
        """A one-day holiday."""
        return cls(day, day, name)

    def days(self) -> list[date]:
        """Every date the holiday covers."""
        count = (self.last - self.first).days + 1
        return [date.fromordinal(self.first.toordinal() + i) for i in range(count)]

    def __str__(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first}..{self.last}"
        return f"{self.name} ({span})" if self.name else span


WeeklySchedule = Mapping[int, Sequence[OpenInterval]]  # key: date.weekday(), 0 = Monday


def calendar_problems(weekly: WeeklySchedule, holidays: Sequence[Holiday] = ()) -> list[str]:
    """Everything wrong with a schedule and holiday list, one readable line each."""
    problems: list[str] = []
    for weekday, intervals in sorted(weekly.items()):
        if weekday not in range(7):
            problems.append(f"weekday {weekday}: must be 0 (monday) to 6 (sunday)")
            continue
        name = WEEKDAY_NAMES[weekday]
        for interval in intervals:
            if interval.end_minute <= interval.start_minute:
                problems.append(f"{name}: {interval} closes before it opens")
            end_seconds = 0 if interval.ends_at_midnight else interval.end.second
            if interval.start.second or end_seconds or interval.start.tzinfo:
                problems.append(f"{name}: {interval} must be whole minutes of local time")
        ordered = sorted(intervals, key=lambda i: i.start_minute)
        for before, after in pairwise(ordered):
            if after.start_minute < before.end_minute:
                problems.append(f"{name}: {before} overlaps {after}")
    if not any(i.end_minute > i.start_minute for ivs in weekly.values() for i in ivs):
        problems.append("the weekly schedule has no open hours at all")
    for holiday in holidays:
        if holiday.last < holiday.first:
            problems.append(f"holiday {holiday}: ends before it starts")
        elif (holiday.last - holiday.first).days >= MAX_HOLIDAY_DAYS:
            problems.append(f"holiday {holiday}: longer than {MAX_HOLIDAY_DAYS} days")
    ordered_holidays = sorted(holidays, key=lambda h: (h.first, h.last))
    for index, holiday in enumerate(ordered_holidays):
        for other in ordered_holidays[index + 1 :]:
            if other.first > holiday.last:
                break
            problems.append(f"holiday {holiday} overlaps holiday {other}")
    return problems
