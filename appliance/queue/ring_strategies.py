"""Ring-group strategies (after Asterisk queues.conf) and the history they read.

The history (who was rung last per group, when each agent last finished a
call, how many calls each took) is passed in and returned, never global.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum


class RingStrategy(StrEnum):
    """Which members to ring, in what order."""

    RINGALL = "ringall"  # every eligible member at once
    LINEAR = "linear"  # one at a time in the configured order (FreePBX "hunt")
    RRMEMORY = "rrmemory"  # one at a time, starting after the member rung last time
    LEASTRECENT = "leastrecent"  # one at a time, longest since their last call first
    FEWESTCALLS = "fewestcalls"  # one at a time, fewest completed calls first

    @property
    def rings_all(self) -> bool:
        """True when every eligible member rings together."""
        return self is RingStrategy.RINGALL


@dataclass(frozen=True, slots=True)
class RingHistory:
    """What the order-dependent strategies remember between calls."""

    last_rung: Mapping[str, int] = field(default_factory=dict)  # group name → member
    last_call_ended: Mapping[int, datetime] = field(default_factory=dict)
    calls_taken: Mapping[int, int] = field(default_factory=dict)

    def with_rung(self, group: str, agent_id: int) -> RingHistory:
        """Remember that `agent_id` was the last member rung in `group` (rrmemory)."""
        return replace(self, last_rung={**self.last_rung, group: agent_id})

    def with_call_completed(self, agent_id: int, ended_at: datetime) -> RingHistory:
        """Count one completed call for `agent_id`, ended at `ended_at`."""
        return replace(
            self,
            last_call_ended={**self.last_call_ended, agent_id: ended_at},
            calls_taken={**self.calls_taken, agent_id: self.calls_taken.get(agent_id, 0) + 1},
        )


def member_order(
    strategy: RingStrategy, group: str, members: tuple[int, ...], history: RingHistory
) -> tuple[int, ...]:
    """Members in the order the strategy would try them; ties keep the configured order."""
    if strategy is RingStrategy.RRMEMORY:
        last = history.last_rung.get(group)
        if last in members:
            start = members.index(last) + 1
            return members[start:] + members[:start]
        return members
    if strategy is RingStrategy.LEASTRECENT:
        ended = history.last_call_ended
        never = [a for a in members if a not in ended]  # nobody has waited longer
        called = sorted((a for a in members if a in ended), key=lambda a: ended[a])
        return (*never, *called)
    if strategy is RingStrategy.FEWESTCALLS:
        taken = history.calls_taken
        return tuple(sorted(members, key=lambda a: (taken.get(a, 0), members.index(a))))
    return members
