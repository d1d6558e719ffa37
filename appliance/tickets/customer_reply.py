"""What a customer's reply does to the ticket it answers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from appliance.tickets.status import TicketStatus


class ReplyAction(StrEnum):
    """The three things a customer reply can do."""

    KEEP = "keep"  # the ticket is already being worked on
    REOPEN = "reopen"  # pending or resolved goes back to open
    NEW_TICKET = "new_ticket"  # closed stays closed; the reply starts a new ticket


@dataclass(frozen=True, slots=True)
class ReplyDecision:
    """The action, and the status the existing ticket ends up with."""

    action: ReplyAction
    status: TicketStatus


def on_customer_reply(status: TicketStatus) -> ReplyDecision:
    """Decide what a customer reply to a ticket in `status` does."""
    if status in (TicketStatus.PENDING, TicketStatus.RESOLVED):
        return ReplyDecision(ReplyAction.REOPEN, TicketStatus.OPEN)
    if status is TicketStatus.CLOSED:
        return ReplyDecision(ReplyAction.NEW_TICKET, TicketStatus.CLOSED)
    return ReplyDecision(ReplyAction.KEEP, status)
