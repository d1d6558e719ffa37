"""What call routing tells the daemon to do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appliance.queue.ring_group import OverflowTarget

OVERFLOW_MAX_WAIT = "max_wait"  # the caller waited as long as the group allows
OVERFLOW_NOBODY = "nobody_available"  # no member is available at all


@dataclass(frozen=True, slots=True)
class Ring:
    """Ring these agents together for up to `timeout_s` seconds."""

    agent_ids: tuple[int, ...]
    timeout_s: float


@dataclass(frozen=True, slots=True)
class Wait:
    """Keep the caller waiting; decide again at `until` or when any agent's state changes."""

    until: datetime


@dataclass(frozen=True, slots=True)
class Overflow:
    """Give up on the group: send the call to `target`."""

    target: OverflowTarget
    reason: str


Decision = Ring | Wait | Overflow
