"""A ticket's two SLA clocks (first response, resolution) driven by its status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.priority import Priority
from appliance.tickets.sla_clock import SlaClock
from appliance.tickets.sla_policy import SlaPolicy
from appliance.tickets.status import TicketStatus

_COUNTING = (TicketStatus.NEW, TicketStatus.OPEN)


@dataclass(frozen=True, slots=True)
class TicketSla:
    """The SLA state of one ticket."""

    first_response: SlaClock
    resolution: SlaClock
    responded: bool = False

    def is_breached(self, now: datetime) -> bool:
        """True when either target has been missed."""
        return self.first_response.is_breached(now) or self.resolution.is_breached(now)


def start_sla(
    priority: Priority, now: datetime, policy: SlaPolicy, calendar: BusinessCalendar
) -> TicketSla:
    """Start both clocks for a new ticket."""
    target = policy.target_for(priority)
    return TicketSla(
        first_response=SlaClock.start(target.first_response, now, calendar),
        resolution=SlaClock.start(target.resolution, now, calendar),
    )


def first_response_sent(sla: TicketSla, now: datetime, calendar: BusinessCalendar) -> TicketSla:
    """An agent answered the customer: the first-response clock stops for good."""
    if sla.responded:
        return sla
    return replace(sla, first_response=sla.first_response.pause(now, calendar), responded=True)


def status_changed(
    sla: TicketSla, status: TicketStatus, now: datetime, calendar: BusinessCalendar
) -> TicketSla:
    """Pause the clocks outside new/open (pending, resolved, closed); resume them inside."""
    if status in _COUNTING:
        first = sla.first_response if sla.responded else sla.first_response.resume(now, calendar)
        return replace(sla, first_response=first, resolution=sla.resolution.resume(now, calendar))
    return replace(
        sla,
        first_response=sla.first_response.pause(now, calendar),
        resolution=sla.resolution.pause(now, calendar),
    )


def priority_changed(
    sla: TicketSla, priority: Priority, now: datetime, policy: SlaPolicy,
    calendar: BusinessCalendar,
) -> TicketSla:
    """The clocks held to the new priority's targets; time used so far still counts.

    Raising a ticket to urgent brings its due times forward (and so moves it up the
    queue); lowering it gives more time. A stopped first-response clock stays stopped.
    """
    target = policy.target_for(priority)
    first = sla.first_response
    first = replace(first, target=target.first_response) if sla.responded else (
        first.retarget(target.first_response, now, calendar))
    return replace(sla, first_response=first,
                   resolution=sla.resolution.retarget(target.resolution, now, calendar))
