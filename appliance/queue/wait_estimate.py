"""The expected wait a queued caller is told, from the live picture.

The callers ahead are shared by the agents who take calls now (available, or
already on the phone and so back soon); each of them frees up about once per
average talk time. An office with nobody taking calls has no honest estimate:
then nothing is said about the wait.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from appliance.presence.states import Activity, AgentState, Presence

_ON_THE_PHONE = (Activity.RINGING, Activity.ON_CALL, Activity.WRAP_UP)


def agents_taking_calls(agents: Mapping[int, AgentState], now: datetime) -> int:
    """Agents who are available, or on the phone and so back to the queue soon."""
    return sum(1 for state in agents.values()
               if state.presence is Presence.AVAILABLE or state.activity_at(now) in _ON_THE_PHONE)


def average_talk_s(recent: Iterable[float], assumed_s: float) -> float:
    """The mean of recent calls' talk times, the assumed one while there are none."""
    times = [t for t in recent if t > 0]
    return sum(times) / len(times) if times else assumed_s


def expected_wait_s(position: int, taking: int, talk_s: float) -> float | None:
    """Seconds until the caller at `position` (1 = next) is likely answered; None: unknown."""
    if taking <= 0 or position < 1:
        return None
    return math.ceil(position / taking) * talk_s
