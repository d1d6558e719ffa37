"""The SLA policy and business calendar that `[sla]` and `[business_hours]` ask for."""

from __future__ import annotations

from appliance.calls.desk_config import business_calendar as office_hours
from appliance.config.aspa_toml import Config
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.priority import Priority
from appliance.tickets.sla_policy import SlaPolicy, SlaTarget


def sla_policy(config: Config) -> SlaPolicy:
    """One target per priority, in business minutes."""
    targets = {}
    for priority in Priority:
        target = config.sla.target(priority.value)
        targets[priority] = SlaTarget(target.first_response_minutes, target.resolution_minutes)
    return SlaPolicy(targets)


def business_calendar(config: Config) -> BusinessCalendar:
    """The calendar SLA minutes count in: office hours, or always open when every minute counts."""
    if not config.sla.business_hours_only:
        return BusinessCalendar.twenty_four_seven(config.time_zone)
    return office_hours(config)
