"""Holidays that come back every year and half days: the calendar, and SLA time counted in it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appliance.tickets import BusinessCalendar, CalendarError, DayRule, SlaClock
from appliance.tickets.calendar_rules import HalfDay, OpenInterval

HEL = ZoneInfo("Europe/Helsinki")
OFFICE_DAY = ((time(8), time(16)),)
WEEKDAYS = dict.fromkeys(range(5), OFFICE_DAY)


def office(**kwargs: object) -> BusinessCalendar:
    return BusinessCalendar.from_hours(HEL, WEEKDAYS, **kwargs)  # type: ignore[arg-type]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HEL)


@pytest.mark.parametrize(("text", "rule"), [
    ("12-24", DayRule(12, 24)), ("2026-12-24", DayRule(12, 24, 2026)),
    (" 01-06 ", DayRule(1, 6)), ("02-29", DayRule(2, 29)),
])
def test_day_rules_parse(text: str, rule: DayRule) -> None:
    assert DayRule.parse(text) == rule
    assert str(rule) == text.strip()


@pytest.mark.parametrize("text", ["12-32", "13-01", "2026-02-29", "24.12.", "1224", "", "12-24x"])
def test_day_rules_refuse_what_is_no_date(text: str) -> None:
    assert DayRule.parse(text) is None


def test_a_yearly_holiday_closes_that_day_every_year() -> None:
    calendar = office(yearly_holidays=[DayRule(12, 24), DayRule(12, 25)])
    for year in (2026, 2027, 2031):  # Thursday, Friday, Wednesday
        assert not calendar.is_open(at(date(year, 12, 24), 10))
        assert calendar.day_spans(date(year, 12, 24)) == ()
    assert calendar.is_open(at(date(2026, 12, 23), 10))
    # a ticket opened on the 23rd at 15:00 with two business hours left: due on the 28th
    assert calendar.add_business_time(at(date(2026, 12, 23), 15), timedelta(hours=2)) == \
        at(date(2026, 12, 28), 9)


def test_february_29_every_year_is_a_holiday_in_leap_years_only() -> None:
    calendar = office(yearly_holidays=[DayRule(2, 29)])
    assert not calendar.is_open(at(date(2028, 2, 29), 10))
    assert calendar.is_open(at(date(2027, 3, 1), 10))


def test_a_half_day_closes_early_and_the_clocks_follow() -> None:
    half = (DayRule(12, 23), [(time(8), time(12))])
    calendar = office(half_days=[half])
    day = date(2026, 12, 23)  # a Wednesday
    assert calendar.is_open(at(day, 11, 59))
    assert not calendar.is_open(at(day, 12))
    assert calendar.next_open(at(day, 13)) == at(date(2026, 12, 24), 8)
    # an hour of first response left at 11:30: half of it today, the rest the next morning
    assert calendar.add_business_time(at(day, 11, 30), timedelta(hours=1)) == \
        at(date(2026, 12, 24), 8, 30)
    assert calendar.business_time_between(at(day, 7), at(day, 18)) == timedelta(hours=4)
    assert calendar.is_open(at(date(2027, 12, 23), 11))  # every year
    assert not calendar.is_open(at(date(2027, 12, 23), 13))


def test_the_sla_clock_counts_a_half_day_short_and_a_holiday_not_at_all() -> None:
    calendar = office(yearly_holidays=[DayRule(12, 24)],
                      half_days=[(DayRule(12, 23, 2026), [(time(8), time(12))])])
    opened = at(date(2026, 12, 23), 9)
    clock = SlaClock.start(timedelta(hours=4), opened, calendar)
    # four business hours after 09:00 on the half day: 3 that day, 12-24 closed, 1 on the 25th
    assert clock.due == at(date(2026, 12, 25), 9)
    paused = clock.pause(at(date(2026, 12, 23), 15), calendar)  # 3 h used: it closed at 12
    assert paused.elapsed == timedelta(hours=3)
    resumed = paused.resume(at(date(2026, 12, 24), 10), calendar)  # the holiday: next opening
    assert resumed.due == at(date(2026, 12, 25), 9)


def test_a_holiday_wins_over_a_half_day_and_a_dated_half_day_over_a_yearly_one() -> None:
    calendar = office(yearly_holidays=[DayRule(12, 24)],
                      half_days=[(DayRule(12, 24), [(time(8), time(12))]),
                                 (DayRule(12, 31), [(time(8), time(12))]),
                                 (DayRule(12, 31, 2026), [(time(9), time(10))])])
    assert calendar.day_spans(date(2026, 12, 24)) == ()
    assert calendar.hours_of(date(2026, 12, 31)) == (OpenInterval(time(9), time(10)),)
    assert calendar.hours_of(date(2027, 12, 31)) == (OpenInterval(time(8), time(12)),)


def test_a_half_day_that_closes_before_it_opens_is_refused() -> None:
    with pytest.raises(CalendarError, match="half day 12-24: 12:00-08:00 closes before it opens"):
        office(half_days=[(DayRule(12, 24), [(time(12), time(8))])])
    with pytest.raises(CalendarError, match="overlaps"):
        BusinessCalendar(HEL, {0: [OpenInterval(time(8), time(16))]}, half_days=[
            HalfDay(DayRule(12, 24), (OpenInterval(time(8), time(12)),
                                      OpenInterval(time(11), time(13))))])
