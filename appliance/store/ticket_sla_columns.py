"""A ticket's SLA clocks (appliance.tickets.TicketSla) to and from its Ticket columns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from appliance.store.models import Ticket
from appliance.tickets import Priority, SlaClock, SlaPolicy, TicketSla


def sla_of(ticket: Ticket, policy: SlaPolicy) -> TicketSla:
    """The SLA state stored in a ticket row; targets come from the current policy."""
    target = policy.target_for(Priority(ticket.priority))
    responded = ticket.first_responded_at is not None
    running_since = ticket.sla_running_since
    return TicketSla(
        first_response=SlaClock(
            target=target.first_response,
            elapsed=timedelta(seconds=ticket.sla_first_response_used_s or 0.0),
            running_since=None if responded else running_since,
            due=ticket.first_response_due,
        ),
        resolution=SlaClock(
            target=target.resolution,
            elapsed=timedelta(seconds=ticket.sla_resolution_used_s or 0.0),
            running_since=running_since,
            due=ticket.resolution_due,
        ),
        responded=responded,
    )


def sla_columns(sla: TicketSla) -> dict[str, Any]:
    """The column values that store `sla` (field name → value)."""
    # Both clocks run from the same moment unless the first response has been
    # given, when only the resolution clock still runs.
    running_since = sla.resolution.running_since or sla.first_response.running_since
    return {
        "sla_running_since": running_since,
        "sla_first_response_used_s": sla.first_response.elapsed.total_seconds(),
        "sla_resolution_used_s": sla.resolution.elapsed.total_seconds(),
        "first_response_due": sla.first_response.due,
        "resolution_due": sla.resolution.due,
    }
