"""The `[business_hours]` section: the weekly opening hours and the holidays."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time
from typing import Any

from appliance.config import value_checks
from appliance.config.schema import setting
from appliance.config.shown_value import shown

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
        doc="Days the office is closed, as '2026-12-24' (a TOML date 2026-12-24 works too)",
        factory=list,
    )

    def validate(self) -> list[str]:
        """Every holiday a date, none listed twice."""
        problems: list[str] = []
        seen: set[date] = set()
        for i, value in enumerate(self.holidays):
            day = value_checks.calendar_date(value)
            if isinstance(day, str):
                problems.append(f"holidays[{i}]: {day}")
            elif day in seen:
                problems.append(f"holidays[{i}]: {day.isoformat()} is listed twice")
            else:
                seen.add(day)
        return problems

    def holiday_dates(self) -> frozenset[date]:
        """The holidays as dates (malformed entries never pass validation)."""
        days = (value_checks.calendar_date(v) for v in self.holidays)
        return frozenset(d for d in days if isinstance(d, date))
