"""The `[sla]` section: how soon each priority must be answered and resolved."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import in_range, setting
from appliance.config.shown_value import shown

PRIORITIES = ("low", "normal", "high", "urgent")  # as in store.models.Ticket.priority

_MINUTES_PER_YEAR = 366 * 24 * 60


@dataclass(frozen=True)
class SlaTarget:
    """The two promises made for one priority, in minutes (both keys required)."""

    first_response_minutes: int = setting(
        doc="Minutes until the first reply is due", check=in_range(1, _MINUTES_PER_YEAR))
    resolution_minutes: int = setting(
        doc="Minutes until the ticket should be resolved", check=in_range(1, _MINUTES_PER_YEAR))

    def validate(self) -> list[str]:
        """A ticket cannot be resolved before it is first answered."""
        if self.resolution_minutes < self.first_response_minutes:
            return [f"resolution_minutes: {self.resolution_minutes} is shorter than "
                    f"first_response_minutes ({self.first_response_minutes})"]
        return []


@dataclass(frozen=True)
class SlaSettings:
    """One target per ticket priority."""

    business_hours_only: bool = setting(
        True, "Count SLA minutes only while the office is open (see business_hours)")
    urgent: SlaTarget = setting(
        doc="Targets for urgent tickets", factory=lambda: SlaTarget(30, 240))
    high: SlaTarget = setting(
        doc="Targets for high-priority tickets", factory=lambda: SlaTarget(60, 480))
    normal: SlaTarget = setting(
        doc="Targets for normal tickets", factory=lambda: SlaTarget(240, 1440))
    low: SlaTarget = setting(
        doc="Targets for low-priority tickets", factory=lambda: SlaTarget(480, 2880))

    def target(self, priority: str) -> SlaTarget:
        """The target for a priority name (low, normal, high, urgent)."""
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {shown(priority)}")
        target: SlaTarget = getattr(self, priority)
        return target
