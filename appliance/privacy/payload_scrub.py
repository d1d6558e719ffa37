"""Scrub a recorded event's JSON payload: personal fields emptied, needles blotted everywhere else.

Ids, times, outcomes, durations and line names stay, so figures counted
from the history still add up after an erasure.
"""

from __future__ import annotations

from typing import Any

from appliance.privacy.needles import ERASED, Needles

# Event fields that carry what a person said or where they can be reached (appliance/events.py).
PERSONAL_KEYS = frozenset(
    {"number", "text", "subject", "sender", "recipients", "name", "body", "address",
     "from", "to", "cc"})


def scrub_payload(value: Any, needles: Needles) -> Any:
    """A copy of the payload with personal fields emptied and every needle replaced."""
    if isinstance(value, dict):
        return {key: (_emptied(item) if key in PERSONAL_KEYS else scrub_payload(item, needles))
                for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_payload(item, needles) for item in value]
    if isinstance(value, str):
        return needles.blot(value)
    return value


def _emptied(value: Any) -> Any:
    if value is None or value == "":
        return value
    return ERASED if isinstance(value, str) else None
