"""The SLA policy and business calendar that `[sla]` and `[business_hours]` ask for."""

from __future__ import annotations

import logging

from appliance.config.aspa_toml import Config
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.errors import CalendarError
from appliance.tickets.priority import Priority
from appliance.tickets.sla_policy import SlaPolicy, SlaTarget

log = logging.getLogger("aspa.config")


def sla_policy(config: Config) -> SlaPolicy:
    """One target per priority, in business minutes."""
    targets = {}
    for priority in Priority:
        target = config.sla.target(priority.value)
        targets[priority] = SlaTarget(target.first_response_minutes, target.resolution_minutes)
    return SlaPolicy(targets)


def office_hours(config: Config) -> BusinessCalendar:
    """The opening hours; unusable hours count as always open (calls ring rather than close)."""
    hours = config.business_hours
    weekly = {day: hours.weekly.intervals(day) for day in range(7)}
    try:
        return BusinessCalendar.from_hours(config.time_zone, weekly, hours.holiday_dates(),
                                           yearly_holidays=hours.yearly_holidays(),
                                           half_days=hours.half_day_hours())
    except (CalendarError, ValueError) as error:
        log.error("business_hours are not usable (%s); treating the office as open", error)
        return BusinessCalendar.twenty_four_seven(config.time_zone)


def business_calendar(config: Config) -> BusinessCalendar:
    """The calendar SLA minutes count in: office hours, or always open when every minute counts."""
    if not config.sla.business_hours_only:
        return BusinessCalendar.twenty_four_seven(config.time_zone)
    return office_hours(config)
