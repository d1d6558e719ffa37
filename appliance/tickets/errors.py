"""Errors raised by the ticket rules."""

from __future__ import annotations


class TicketError(ValueError):
    """Base of the ticket-rule errors."""


class TransitionError(TicketError):
    """A status change the lifecycle does not allow."""


class CalendarError(TicketError):
    """A business calendar that is malformed or never open."""
