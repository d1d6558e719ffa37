"""Line faults: one base class every line's errors share, so the exchange catches one thing."""

from __future__ import annotations


class LineFault(Exception):
    """A line could not do what was asked; its own events then say what became of the call."""


class LegRefused(LineFault):
    """A dialled leg ended at once with a call result (BUSY, NO ANSWER, ...) instead of ringing."""

    result: str  # the call result as the line reported it, e.g. "BUSY" or "NO ANSWER"
