"""The calendar check used by the configuration check."""

from datetime import date, time

from appliance.tickets import Holiday, OpenInterval, calendar_problems

NINE_TO_FIVE = OpenInterval(time(9), time(17))


def test_a_good_calendar_has_no_problems() -> None:
    weekly = {0: (NINE_TO_FIVE,), 5: (OpenInterval(time(10), time(0)),)}
    holidays = [Holiday.on(date(2026, 12, 24)), Holiday(date(2026, 12, 25), date(2026, 12, 26))]
    assert calendar_problems(weekly, holidays) == []


def test_every_problem_is_reported_at_once() -> None:
    weekly = {
        0: (NINE_TO_FIVE, OpenInterval(time(16), time(18))),
        2: (OpenInterval(time(12), time(11)),),
        8: (NINE_TO_FIVE,),
    }
    holidays = [
        Holiday(date(2026, 12, 24), date(2026, 12, 26), "Christmas"),
        Holiday.on(date(2026, 12, 26), "Boxing Day"),
        Holiday(date(2026, 5, 2), date(2026, 5, 1)),
    ]
    assert calendar_problems(weekly, holidays) == [
        "monday: 09:00-17:00 overlaps 16:00-18:00",
        "wednesday: 12:00-11:00 closes before it opens",
        "weekday 8: must be 0 (monday) to 6 (sunday)",
        "holiday 2026-05-02..2026-05-01: ends before it starts",
        "holiday Christmas (2026-12-24..2026-12-26) overlaps holiday Boxing Day (2026-12-26)",
    ]


def test_a_schedule_without_hours_is_a_problem() -> None:
    assert calendar_problems({}) == ["the weekly schedule has no open hours at all"]


def test_touching_intervals_do_not_overlap() -> None:
    weekly = {0: (OpenInterval(time(8), time(12)), OpenInterval(time(12), time(16)))}
    assert calendar_problems(weekly) == []
