"""The `[business_hours]` section: the weekly opening hours, the holidays and the half days."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time
from itertools import pairwise
from typing import Any

from appliance.config import value_checks
from appliance.config.schema import setting
from appliance.config.shown_value import shown
from appliance.tickets.calendar_rules import DayRule

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

_OFFICE_DAY = ["08:00-16:00"]


def _office_day() -> list[str]:
    return list(_OFFICE_DAY)


def _closed() -> list[str]:
    return []


def _day_doc(day: str) -> str:
    return f"Opening hours on {day} as 'HH:MM-HH:MM' intervals; [] = closed all day"


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals for each weekday."""

    mon: list[str] = setting(doc=_day_doc("Mondays"), factory=_office_day)
    tue: list[str] = setting(doc=_day_doc("Tuesdays"), factory=_office_day)
    wed: list[str] = setting(doc=_day_doc("Wednesdays"), factory=_office_day)
    thu: list[str] = setting(doc=_day_doc("Thursdays"), factory=_office_day)
    fri: list[str] = setting(doc=_day_doc("Fridays"), factory=_office_day)
    sat: list[str] = setting(doc=_day_doc("Saturdays"), factory=_closed)
    sun: list[str] = setting(doc=_day_doc("Sundays"), factory=_closed)

    def validate(self) -> list[str]:
        """Every interval well-formed, none overlapping another on the same day."""
        problems: list[str] = []
        for f in fields(self):
            problems.extend(_day_problems(f.name, getattr(self, f.name)))
        return problems

    def intervals(self, weekday: int) -> list[tuple[time, time]]:
        """The day's opening intervals in order (weekday as in date.weekday(); 24:00 = time.max)."""
        parsed = (value_checks.interval(t) for t in getattr(self, WEEKDAYS[weekday]))
        return sorted(p for p in parsed if not isinstance(p, str))


def _day_problems(day: str, texts: list[str]) -> list[str]:
    problems: list[str] = []
    spans: list[tuple[time, time, str]] = []
    for i, text in enumerate(texts):
        parsed = value_checks.interval(text)
        if isinstance(parsed, str):
            problems.append(f"{day}[{i}]: {parsed}")
        else:
            spans.append((parsed[0], parsed[1], text))
    spans.sort()
    latest: tuple[time, str] | None = None  # the latest end so far, and its interval
    for start, end, text in spans:
        if latest is not None and start < latest[0]:
            problems.append(f"{day}: {latest[1]!r} overlaps {shown(text)}")
        if latest is None or end > latest[0]:
            latest = (end, text)
    return problems


@dataclass(frozen=True)
class BusinessHoursSettings:
    """When the office is open: SLA clocks run and calls are queued only then."""

    time_zone: str = setting(
        "", "Time zone of the hours below; empty = box.time_zone",
        check=value_checks.time_zone_or_empty,
    )
    weekly: WeeklyHours = setting(doc="Opening hours per weekday", factory=WeeklyHours)
    holidays: list[Any] = setting(
        doc="Days the office is closed, as '2026-12-24' (a TOML date 2026-12-24 works too), "
            "or as '12-24' for the same day every year",
        factory=list,
    )
    half_days: list[str] = setting(
        doc="Days with shorter hours, as '2026-12-23 08:00-12:00' or, every year, "
            "'12-31 09:00-13:00' (several intervals separated by commas)",
        factory=list,
    )

    def validate(self) -> list[str]:
        """Every holiday a date, every half day a date with hours; none listed twice."""
        problems: list[str] = []
        seen: set[DayRule] = set()
        for i, value in enumerate(self.holidays):
            rule = holiday_rule(value)
            if isinstance(rule, str):
                problems.append(f"holidays[{i}]: {rule}")
            elif rule in seen:
                problems.append(f"holidays[{i}]: {rule} is listed twice")
            else:
                seen.add(rule)
        halves: set[DayRule] = set()
        for i, text in enumerate(self.half_days):
            parsed = half_day(text)
            if isinstance(parsed, str):
                problems.append(f"half_days[{i}]: {parsed}")
            elif parsed[0] in halves:
                problems.append(f"half_days[{i}]: {parsed[0]} is listed twice")
            else:
                halves.add(parsed[0])
        return problems

    def holiday_dates(self) -> frozenset[date]:
        """The dated holidays (malformed entries never pass validation)."""
        rules = (holiday_rule(v) for v in self.holidays)
        return frozenset(date(r.year, r.month, r.day) for r in rules
                         if isinstance(r, DayRule) and r.year is not None)

    def yearly_holidays(self) -> list[DayRule]:
        """The holidays that come back every year."""
        rules = (holiday_rule(v) for v in self.holidays)
        return [r for r in rules if isinstance(r, DayRule) and r.yearly]

    def half_day_hours(self) -> list[tuple[DayRule, list[tuple[time, time]]]]:
        """Each half day with its opening intervals."""
        parsed = (half_day(text) for text in self.half_days)
        return [p for p in parsed if not isinstance(p, str)]


def holiday_rule(value: Any) -> DayRule | str:
    """A holiday: a date ("2026-12-24" or a TOML date) or "12-24" every year; or what is wrong."""
    day = value_checks.calendar_date(value)
    if isinstance(day, date):
        return DayRule(day.month, day.day, day.year)
    rule = DayRule.parse(value) if isinstance(value, str) else None
    if rule is None:
        return f"must be a date like '2026-12-24' or, every year, '12-24', not {shown(value)}"
    return rule


def half_day(text: Any) -> tuple[DayRule, list[tuple[time, time]]] | str:
    """"12-23 08:00-12:00" → (the day, its intervals); or what is wrong with it."""
    if not isinstance(text, str):
        return f"must be a string like '12-23 08:00-12:00', not {shown(text)}"
    day_text, _, hours_text = text.strip().partition(" ")
    rule = DayRule.parse(day_text)
    if rule is None or not hours_text.strip():
        return f"must be a date and hours like '12-23 08:00-12:00', not {shown(text)}"
    intervals: list[tuple[time, time]] = []
    for part in hours_text.split(","):
        parsed = value_checks.interval(part.strip())
        if isinstance(parsed, str):
            return parsed
        intervals.append(parsed)
    intervals.sort()
    for before, after in pairwise(intervals):
        if after[0] < before[1]:
            return f"{shown(text)}: the hours overlap"
    return rule, intervals
