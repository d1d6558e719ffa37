"""SLA targets per priority, in business minutes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from appliance.tickets.errors import TicketError
from appliance.tickets.priority import Priority


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """How long, in business minutes, until the first response and until resolution."""

    first_response_minutes: int
    resolution_minutes: int

    def __post_init__(self) -> None:
        if self.first_response_minutes <= 0 or self.resolution_minutes <= 0:
            raise TicketError(f"SLA targets must be positive minutes, not {self}")
        if self.resolution_minutes < self.first_response_minutes:
            raise TicketError(f"resolution target is shorter than first response in {self}")

    @property
    def first_response(self) -> timedelta:
        """The first-response target as business time."""
        return timedelta(minutes=self.first_response_minutes)

    @property
    def resolution(self) -> timedelta:
        """The resolution target as business time."""
        return timedelta(minutes=self.resolution_minutes)


DEFAULT_TARGETS: dict[Priority, SlaTarget] = {
    Priority.URGENT: SlaTarget(30, 4 * 60),
    Priority.HIGH: SlaTarget(60, 8 * 60),
    Priority.NORMAL: SlaTarget(4 * 60, 3 * 8 * 60),  # three eight-hour business days
    Priority.LOW: SlaTarget(8 * 60, 5 * 8 * 60),
}


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """One SlaTarget per priority; priorities left out use the defaults."""

    targets: Mapping[Priority, SlaTarget] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def target_for(self, priority: Priority) -> SlaTarget:
        """The target for `priority`."""
        return self.targets.get(priority, DEFAULT_TARGETS[priority])
