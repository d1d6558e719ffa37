"""Business hours in Europe/Helsinki: weekends, holidays, DST both ways, long spans."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.tickets import BusinessCalendar, CalendarError, Holiday, OpenInterval, wall_to_utc

HEL = ZoneInfo("Europe/Helsinki")
OFFICE = OpenInterval(time(8), time(16))
WEEKDAYS = {day: (OFFICE,) for day in range(5)}
# EU summer time 2026: starts Sunday 29 March 03:00 → 04:00, ends Sunday 25 October 04:00 → 03:00.
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=HEL).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar(HEL, WEEKDAYS, [Holiday.on(date(2026, 12, 24), "Christmas Eve")])


def test_open_in_office_hours_only(office: BusinessCalendar) -> None:
    assert office.is_open(local(2026, 3, 2, 8, 0))
    assert office.is_open(local(2026, 3, 2, 15, 59))
    assert not office.is_open(local(2026, 3, 2, 16, 0))
    assert not office.is_open(local(2026, 3, 2, 7, 59))
    assert not office.is_open(local(2026, 3, 7, 12, 0))  # Saturday


def test_helsinki_office_hours_in_utc_follow_summer_time(office: BusinessCalendar) -> None:
    assert office.day_spans(date(2026, 3, 27)) == ((utc(2026, 3, 27, 6), utc(2026, 3, 27, 14)),)
    assert office.day_spans(date(2026, 3, 30)) == ((utc(2026, 3, 30, 5), utc(2026, 3, 30, 13)),)
    assert office.day_spans(date(2026, 10, 26)) == ((utc(2026, 10, 26, 6), utc(2026, 10, 26, 14)),)


def test_weekend_is_skipped(office: BusinessCalendar) -> None:
    friday = local(2026, 3, 6, 15, 0)
    assert office.add_business_time(friday, timedelta(hours=2)) == local(2026, 3, 9, 9, 0)
    assert office.next_open(local(2026, 3, 7, 10, 0)) == local(2026, 3, 9, 8, 0)


def test_holiday_is_closed_all_day(office: BusinessCalendar) -> None:
    assert not office.is_open(local(2026, 12, 24, 10, 0))
    wednesday = local(2026, 12, 23, 15, 30)
    assert office.add_business_time(wednesday, timedelta(hours=1)) == local(2026, 12, 25, 8, 30)


def test_holiday_range_closes_every_day_in_it() -> None:
    summer = Holiday(date(2026, 7, 6), date(2026, 7, 17), "summer shutdown")
    calendar = BusinessCalendar(HEL, WEEKDAYS, [summer])
    assert calendar.next_open(local(2026, 7, 6, 9, 0)) == local(2026, 7, 20, 8, 0)


def test_spring_weekend_change_keeps_local_hours(office: BusinessCalendar) -> None:
    friday = local(2026, 3, 27, 15, 0)  # 13:00 UTC, winter time
    due = office.add_business_time(friday, timedelta(hours=2))
    assert due == local(2026, 3, 30, 9, 0) == utc(2026, 3, 30, 6, 0)  # summer time
    assert office.business_seconds_between(friday, due) == 2 * 3600


def test_autumn_weekend_change_keeps_local_hours(office: BusinessCalendar) -> None:
    friday = local(2026, 10, 23, 15, 0)  # 12:00 UTC, summer time
    due = office.add_business_time(friday, timedelta(hours=2))
    assert due == local(2026, 10, 26, 9, 0) == utc(2026, 10, 26, 7, 0)  # winter time
    assert office.business_seconds_between(friday, due) == 2 * 3600


def test_night_shift_over_the_changes_is_23_and_25_hours_long() -> None:
    always_local = {day: (OpenInterval(time(0), time(0)),) for day in range(7)}
    calendar = BusinessCalendar(HEL, always_local)
    spring_day = calendar.business_time_between(local(2026, 3, 29), local(2026, 3, 30))
    autumn_day = calendar.business_time_between(local(2026, 10, 25), local(2026, 10, 26))
    assert spring_day == timedelta(hours=23)
    assert autumn_day == timedelta(hours=25)


def test_sunday_hours_across_the_change() -> None:
    early = {6: (OpenInterval(time(2), time(5)),)}
    calendar = BusinessCalendar(HEL, early)
    assert calendar.day_spans(SPRING) == ((utc(2026, 3, 29, 0), utc(2026, 3, 29, 2)),)
    assert calendar.day_spans(AUTUMN) == ((utc(2026, 10, 24, 23), utc(2026, 10, 25, 3)),)


def test_opening_in_the_skipped_hour_opens_when_the_clock_jumps() -> None:
    calendar = BusinessCalendar(HEL, {6: (OpenInterval(time(3, 30), time(5)),)})
    assert calendar.day_spans(SPRING) == ((utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),)
    assert wall_to_utc(SPRING, time(3, 30), HEL) == utc(2026, 3, 29, 1)


def test_repeated_hour_opens_at_first_and_closes_at_last_occurrence() -> None:
    calendar = BusinessCalendar(HEL, {6: (OpenInterval(time(3, 30), time(3, 45)),)})
    # 03:30 summer time (00:30 UTC) to 03:45 winter time (01:45 UTC).
    assert calendar.day_spans(AUTUMN) == ((utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 45)),)


def test_duration_spanning_several_days(office: BusinessCalendar) -> None:
    monday = local(2026, 3, 23, 10, 0)
    due = office.add_business_time(monday, timedelta(hours=30))  # 6 + 8 + 8 + 8 hours
    assert due == local(2026, 3, 26, 16, 0)
    assert office.business_time_between(monday, due) == timedelta(hours=30)
    # Across a weekend with a DST change: Thursday 10:00 + 6 + 8 + 6 hours → Monday 14:00.
    thursday = local(2026, 3, 26, 10, 0)
    assert office.add_business_time(thursday, timedelta(hours=20)) == local(2026, 3, 30, 14, 0)


def test_start_outside_hours_counts_from_next_opening(office: BusinessCalendar) -> None:
    evening = local(2026, 3, 2, 20, 0)
    assert office.add_business_time(evening, timedelta(minutes=30)) == local(2026, 3, 3, 8, 30)


def test_due_at_closing_time_stays_at_closing(office: BusinessCalendar) -> None:
    start = local(2026, 3, 2, 15, 0)
    assert office.add_business_time(start, timedelta(hours=1)) == local(2026, 3, 2, 16, 0)


def test_business_time_between_is_antisymmetric(office: BusinessCalendar) -> None:
    a, b = local(2026, 3, 2, 9, 0), local(2026, 3, 3, 9, 0)
    assert office.business_seconds_between(a, b) == 8 * 3600
    assert office.business_seconds_between(b, a) == -8 * 3600


def test_twenty_four_seven_counts_wall_time() -> None:
    calendar = BusinessCalendar.twenty_four_seven(HEL)
    start = local(2026, 3, 28, 22, 0)
    assert calendar.is_open(start)
    assert calendar.add_business_time(start, timedelta(hours=10)) == start + timedelta(hours=10)
    assert calendar.next_open(start) == start


def test_naive_times_and_negative_durations_are_refused(office: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        office.is_open(datetime(2026, 3, 2, 9, 0))
    with pytest.raises(ValueError, match="negative"):
        office.add_business_time(local(2026, 3, 2, 9, 0), timedelta(seconds=-1))


def test_bad_schedule_is_refused_with_every_problem() -> None:
    with pytest.raises(CalendarError, match="monday: 08:00-12:00 overlaps 11:00-16:00"):
        overlapping = (OpenInterval(time(8), time(12)), OpenInterval(time(11), time(16)))
        BusinessCalendar(HEL, {0: overlapping})


def test_overlapping_intervals_would_still_be_counted_once() -> None:
    calendar = BusinessCalendar(HEL, WEEKDAYS)
    calendar.weekly[0] = (OpenInterval(time(8), time(12)), OpenInterval(time(11), time(16)))
    assert calendar.day_spans(date(2026, 3, 2)) == ((utc(2026, 3, 2, 6), utc(2026, 3, 2, 14)),)


_moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(start=_moments, minutes=st.integers(min_value=0, max_value=60 * 24 * 20))
def test_adding_then_measuring_gives_the_same_duration(start: datetime, minutes: int) -> None:
    calendar = BusinessCalendar(HEL, WEEKDAYS, [Holiday.on(date(2026, 12, 24))])
    due = calendar.add_business_time(start, timedelta(minutes=minutes))
    assert due >= start
    assert calendar.business_time_between(start, due) == timedelta(minutes=minutes)
    if minutes:
        assert calendar.is_open(due - timedelta(microseconds=1))


@given(a=_moments, b=_moments)
def test_whole_day_schedule_equals_elapsed_time_through_dst(a: datetime, b: datetime) -> None:
    always_local = {day: (OpenInterval(time(0), time(0)),) for day in range(7)}
    calendar = BusinessCalendar(HEL, always_local)
    assert calendar.business_time_between(a, b) == b - a


def test_from_hours_takes_plain_pairs_and_time_max_as_midnight() -> None:
    calendar = BusinessCalendar.from_hours(
        HEL, {0: [(time(8), time(16))], 5: [(time(20), time.max)]}, [date(2026, 3, 2)]
    )
    assert not calendar.is_open(local(2026, 3, 2, 9, 0))  # holiday Monday
    assert calendar.is_open(local(2026, 3, 9, 9, 0))
    assert calendar.day_spans(date(2026, 3, 7)) == ((utc(2026, 3, 7, 18), utc(2026, 3, 7, 22)),)


_DST_EDGE = BusinessCalendar(
    HEL,
    {
        day: (OpenInterval(time(2, 30), time(4, 30)), OpenInterval(time(10), time(12)))
        for day in range(7)
    },
)


@given(start=_moments, minutes=st.integers(min_value=0, max_value=60 * 24 * 3))
def test_hours_inside_the_changing_hour_add_up_both_ways(start: datetime, minutes: int) -> None:
    due = _DST_EDGE.add_business_time(start, timedelta(minutes=minutes))
    assert _DST_EDGE.business_time_between(start, due) == timedelta(minutes=minutes)
    assert _DST_EDGE.is_open(_DST_EDGE.next_open(start))


def test_changing_hour_intervals_are_one_hour_shorter_and_longer() -> None:
    def early_hours(day: date) -> timedelta:
        start, end = _DST_EDGE.day_spans(day)[0]
        return end - start

    assert early_hours(date(2026, 3, 28)) == timedelta(hours=2)
    assert early_hours(SPRING) == timedelta(hours=1)
    assert early_hours(AUTUMN) == timedelta(hours=3)
