"""Ticket and work-item priority."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    """How urgent a piece of work is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for the most urgent; lower ranks are served first."""
        return _RANKS[self]


_RANKS = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
