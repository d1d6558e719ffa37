"""The ticket lifecycle: new → open → pending → resolved → closed, as a table."""

from __future__ import annotations

from enum import StrEnum

from appliance.tickets.errors import TransitionError


class TicketStatus(StrEnum):
    """Where a ticket is in its life."""

    NEW = "new"  # arrived, nobody has touched it
    OPEN = "open"  # someone is working on it
    PENDING = "pending"  # waiting for the customer; the SLA clock is paused
    RESOLVED = "resolved"  # answered; a customer reply reopens it
    CLOSED = "closed"  # final; a follow-up makes a new ticket


_NEW, _OPEN, _PENDING, _RESOLVED, _CLOSED = TicketStatus

ALLOWED_TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    _NEW: frozenset({_OPEN, _PENDING, _RESOLVED, _CLOSED}),
    _OPEN: frozenset({_PENDING, _RESOLVED, _CLOSED}),
    _PENDING: frozenset({_OPEN, _RESOLVED, _CLOSED}),
    _RESOLVED: frozenset({_OPEN, _CLOSED}),  # reopened by a customer reply
    _CLOSED: frozenset(),  # final: a follow-up makes a new ticket
}


def can_move(old: TicketStatus, new: TicketStatus) -> bool:
    """True when the lifecycle allows going from `old` to `new`."""
    return new in ALLOWED_TRANSITIONS[old]


def move(old: TicketStatus, new: TicketStatus) -> TicketStatus:
    """Return `new` if the move is allowed, else raise TransitionError naming both."""
    if not can_move(old, new):
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[old])) or "nothing"
        raise TransitionError(f"a {old} ticket cannot become {new} (allowed: {allowed})")
    return new


def is_open_work(status: TicketStatus) -> bool:
    """True for statuses that still count as open work (service debt, queue)."""
    return status in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)
