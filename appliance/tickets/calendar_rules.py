"""The pieces of a business calendar, and the check that finds problems in them."""

from __future__ import annotations

import re
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


_DAY = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})$")
_LEAP_YEAR = 2024  # a year in which every month-day that exists at all exists


@dataclass(frozen=True, slots=True)
class DayRule:
    """One date (2026-12-24), or the same date every year (12-24) when `year` is None."""

    month: int
    day: int
    year: int | None = None

    @classmethod
    def parse(cls, text: str) -> DayRule | None:
        """"2026-12-24" or "12-24" (every year); None when it is neither a real date."""
        match = _DAY.fullmatch(text.strip())
        if match is None:
            return None
        year = int(match.group(1)) if match.group(1) else None
        month, day = int(match.group(2)), int(match.group(3))
        try:
            date(year or _LEAP_YEAR, month, day)
        except ValueError:
            return None
        return cls(month, day, year)

    @property
    def yearly(self) -> bool:
        """True for a date that comes back every year."""
        return self.year is None

    def matches(self, day: date) -> bool:
        """True on the day this rule names (02-29 every year: in leap years only)."""
        return (day.month, day.day) == (self.month, self.day) and self.year in (None, day.year)

    def __str__(self) -> str:
        month_day = f"{self.month:02d}-{self.day:02d}"
        return month_day if self.year is None else f"{self.year:04d}-{month_day}"


@dataclass(frozen=True, slots=True)
class HalfDay:
    """A day with hours of its own, shorter than its weekday's (12-23: open 08:00-12:00)."""

    rule: DayRule
    hours: tuple[OpenInterval, ...]

    def __str__(self) -> str:
        return f"{self.rule} {', '.join(str(i) for i in self.hours)}"


WeeklySchedule = Mapping[int, Sequence[OpenInterval]]  # key: date.weekday(), 0 = Monday


def _half_day_problems(half_days: Sequence[HalfDay]) -> list[str]:
    problems: list[str] = []
    seen: set[DayRule] = set()
    for half_day in half_days:
        if half_day.rule in seen:
            problems.append(f"half day {half_day.rule}: listed twice")
        seen.add(half_day.rule)
        ordered = sorted(half_day.hours, key=lambda i: i.start_minute)
        for interval in ordered:
            if interval.end_minute <= interval.start_minute:
                problems.append(f"half day {half_day.rule}: {interval} closes before it opens")
        for before, after in pairwise(ordered):
            if after.start_minute < before.end_minute:
                problems.append(f"half day {half_day.rule}: {before} overlaps {after}")
    return problems


def calendar_problems(weekly: WeeklySchedule, holidays: Sequence[Holiday] = (),
                      half_days: Sequence[HalfDay] = ()) -> list[str]:
    """Everything wrong with a schedule, holiday list and half days, one readable line each."""
    problems: list[str] = _half_day_problems(half_days)
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
