"""SLA targets, the business-time clock, pausing while pending, breaches."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from appliance.tickets import (
    BusinessCalendar,
    OpenInterval,
    Priority,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    TicketError,
    TicketStatus,
    first_response_sent,
    start_sla,
    status_changed,
)

HEL = ZoneInfo("Europe/Helsinki")
OFFICE = BusinessCalendar(HEL, {day: (OpenInterval(time(8), time(16)),) for day in range(5)})


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, sec, tzinfo=HEL).astimezone(UTC)


def test_policy_gives_targets_per_priority_with_defaults() -> None:
    policy = SlaPolicy({Priority.URGENT: SlaTarget(15, 120)})
    assert policy.target_for(Priority.URGENT).first_response == timedelta(minutes=15)
    assert policy.target_for(Priority.LOW).resolution == timedelta(minutes=5 * 8 * 60)


def test_bad_targets_are_refused() -> None:
    with pytest.raises(TicketError, match="positive"):
        SlaTarget(0, 60)
    with pytest.raises(TicketError, match="shorter"):
        SlaTarget(60, 30)


def test_clock_due_in_business_time_and_breach_after_due() -> None:
    monday = local(2026, 3, 2, 15, 0)
    clock = SlaClock.start(timedelta(hours=2), monday, OFFICE)
    assert clock.due == local(2026, 3, 3, 9, 0)
    assert not clock.is_breached(local(2026, 3, 3, 9, 0))
    assert clock.is_breached(local(2026, 3, 3, 9, 0, 1))
    assert clock.remaining_at(local(2026, 3, 2, 16, 30), OFFICE) == timedelta(hours=1)


def test_pending_pauses_the_clock_and_resume_recomputes_due() -> None:
    monday = local(2026, 3, 2, 9, 0)
    clock = SlaClock.start(timedelta(hours=4), monday, OFFICE)
    assert clock.due == local(2026, 3, 2, 13, 0)
    paused = clock.pause(local(2026, 3, 2, 10, 0), OFFICE)  # one hour used
    assert paused.elapsed == timedelta(hours=1) and paused.due is None
    assert not paused.is_breached(local(2026, 3, 20, 12, 0))  # the customer took weeks
    resumed = paused.resume(local(2026, 3, 20, 15, 0), OFFICE)  # Friday 15:00, 3 h left
    assert resumed.due == local(2026, 3, 23, 10, 0)
    assert resumed.is_breached(local(2026, 3, 23, 10, 1))


def test_a_clock_paused_after_its_due_time_stays_breached() -> None:
    clock = SlaClock.start(timedelta(hours=1), local(2026, 3, 2, 9, 0), OFFICE)
    paused = clock.pause(local(2026, 3, 2, 11, 0), OFFICE)
    assert paused.is_breached(local(2026, 3, 2, 11, 0))
    resumed = paused.resume(local(2026, 3, 3, 9, 0), OFFICE)
    assert resumed.is_breached(local(2026, 3, 3, 9, 0))


def test_ticket_sla_follows_status_and_first_response() -> None:
    policy = SlaPolicy()
    created = local(2026, 3, 2, 9, 0)
    sla = start_sla(Priority.HIGH, created, policy, OFFICE)
    assert sla.first_response.due == local(2026, 3, 2, 10, 0)
    assert sla.resolution.due == local(2026, 3, 3, 9, 0)
    sla = first_response_sent(sla, local(2026, 3, 2, 9, 30), OFFICE)
    assert not sla.first_response.is_running
    assert not sla.is_breached(local(2026, 3, 2, 12, 0))
    sla = status_changed(sla, TicketStatus.PENDING, local(2026, 3, 2, 11, 0), OFFICE)
    assert sla.resolution.elapsed == timedelta(hours=2)
    sla = status_changed(sla, TicketStatus.OPEN, local(2026, 3, 9, 8, 0), OFFICE)
    assert not sla.first_response.is_running  # a sent response is never reopened
    assert sla.resolution.due == local(2026, 3, 9, 14, 0)
    assert sla.is_breached(local(2026, 3, 9, 14, 0, 1))


def test_missed_first_response_is_a_breach() -> None:
    sla = start_sla(Priority.URGENT, local(2026, 3, 2, 9, 0), SlaPolicy(), OFFICE)
    assert not sla.is_breached(local(2026, 3, 2, 9, 30))
    assert sla.is_breached(local(2026, 3, 2, 9, 31))
