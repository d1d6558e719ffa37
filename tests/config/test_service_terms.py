"""aspa.toml's [sla] and [business_hours] become the SLA policy and calendar tickets run on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from appliance.config.aspa_toml import config_from_mapping
from appliance.config.service_terms import business_calendar, sla_policy
from appliance.tickets.priority import Priority


def test_the_configured_targets_are_the_policy(tmp_path: Path) -> None:
    config = config_from_mapping(
        {"sla": {"urgent": {"first_response_minutes": 15, "resolution_minutes": 120}}}, tmp_path)
    policy = sla_policy(config)
    assert policy.target_for(Priority.URGENT).first_response_minutes == 15
    assert policy.target_for(Priority.URGENT).resolution_minutes == 120
    low = config.sla.low.first_response_minutes
    assert policy.target_for(Priority.LOW).first_response_minutes == low


def test_office_hours_and_holidays_make_the_calendar(tmp_path: Path) -> None:
    config = config_from_mapping(
        {"box": {"time_zone": "Europe/Helsinki"},
         "business_hours": {"holidays": ["2026-01-06"]}}, tmp_path)
    calendar = business_calendar(config)
    assert calendar.day_spans(date(2026, 1, 5)) == (
        (datetime(2026, 1, 5, 6, 0, tzinfo=UTC), datetime(2026, 1, 5, 14, 0, tzinfo=UTC)),)
    assert calendar.day_spans(date(2026, 1, 6)) == ()  # the holiday
    assert calendar.day_spans(date(2026, 1, 10)) == ()  # a Saturday


def test_sla_counting_every_minute_is_always_open(tmp_path: Path) -> None:
    config = config_from_mapping({"sla": {"business_hours_only": False}}, tmp_path)
    assert business_calendar(config).always_open


def test_yearly_holidays_and_half_days_make_the_calendar(tmp_path: Path) -> None:
    config = config_from_mapping(
        {"box": {"time_zone": "Europe/Helsinki"},
         "business_hours": {"holidays": ["12-24", "2026-06-19"],
                            "half_days": ["12-23 08:00-12:00",
                                          "2026-06-18 08:00-10:00, 11:00-12:00"]}},
        tmp_path)
    calendar = business_calendar(config)
    for year in (2026, 2027):
        assert calendar.day_spans(date(year, 12, 24)) == ()
    assert calendar.day_spans(date(2027, 12, 23)) == (
        (datetime(2027, 12, 23, 6, 0, tzinfo=UTC), datetime(2027, 12, 23, 10, 0, tzinfo=UTC)),)
    assert calendar.day_spans(date(2026, 6, 18)) == (
        (datetime(2026, 6, 18, 5, 0, tzinfo=UTC), datetime(2026, 6, 18, 7, 0, tzinfo=UTC)),
        (datetime(2026, 6, 18, 8, 0, tzinfo=UTC), datetime(2026, 6, 18, 9, 0, tzinfo=UTC)))
    assert calendar.day_spans(date(2026, 6, 19)) == ()
