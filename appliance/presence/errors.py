"""Errors raised by presence transitions."""

from __future__ import annotations


class PresenceError(ValueError):
    """A presence or activity change that makes no sense from the current state."""
