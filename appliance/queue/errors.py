"""Errors raised by the queue and routing rules."""

from __future__ import annotations


class QueueError(ValueError):
    """Base of the queue and routing errors."""


class RingGroupError(QueueError):
    """A ring group that is set up wrongly."""


class UnknownWorkItem(QueueError, KeyError):
    """No open work item has that id."""
