"""A ring group: members in order, a strategy, timeouts and where overflow goes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from appliance.queue.errors import RingGroupError
from appliance.queue.ring_strategies import RingStrategy


class OverflowKind(StrEnum):
    """Where a call goes when the group cannot take it in time."""

    VOICEMAIL = "voicemail"
    CALLBACK = "callback"  # a callback work item, and an SMS to the caller
    GROUP = "group"  # another ring group


@dataclass(frozen=True, slots=True)
class OverflowTarget:
    """An overflow destination; `group` names the ring group for kind GROUP."""

    kind: OverflowKind = OverflowKind.CALLBACK
    group: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is OverflowKind.GROUP) != bool(self.group):
            raise RingGroupError(f"overflow {self.kind} needs a group name only for kind 'group'")


@dataclass(frozen=True, slots=True)
class RingGroup:
    """How one group of agents is rung (timeouts in seconds, as in Asterisk queues.conf)."""

    name: str
    members: tuple[int, ...]
    strategy: RingStrategy = RingStrategy.RINGALL
    ring_timeout_s: float = 20.0  # one attempt (Asterisk `timeout`)
    member_timeouts: Mapping[int, float] = field(default_factory=dict)
    retry_s: float = 5.0  # pause after everyone was tried (Asterisk `retry`)
    wrap_up_s: float = 10.0  # rest after a call (Asterisk `wrapuptime`); for call_ended()
    max_wait_s: float = 300.0  # then overflow
    overflow: OverflowTarget = field(default_factory=OverflowTarget)
    overflow_when_empty: bool = True  # no member available at all: overflow at once

    def __post_init__(self) -> None:
        problems = ring_group_problems(self)
        if problems:
            raise RingGroupError(f"ring group {self.name!r}: " + "; ".join(problems))

    def timeout_for(self, agent_id: int) -> float:
        """Ring time for one member (their own, else the group's)."""
        return self.member_timeouts.get(agent_id, self.ring_timeout_s)


def ring_group_problems(group: RingGroup) -> list[str]:
    """Everything wrong with a ring group, one line each."""
    problems: list[str] = []
    if not group.name:
        problems.append("name must not be empty")
    if not group.members:
        problems.append("members must not be empty")
    if len(set(group.members)) != len(group.members):
        problems.append("members must not repeat")
    for label, value in (
        ("ring_timeout_s", group.ring_timeout_s),
        ("max_wait_s", group.max_wait_s),
    ):
        if value <= 0:
            problems.append(f"{label} must be positive, not {value}")
    for label, value in (("retry_s", group.retry_s), ("wrap_up_s", group.wrap_up_s)):
        if value < 0:
            problems.append(f"{label} must not be negative, not {value}")
    for agent_id, timeout in group.member_timeouts.items():
        if agent_id not in group.members:
            problems.append(f"member_timeouts names {agent_id}, who is not a member")
        if timeout <= 0:
            problems.append(f"member_timeouts[{agent_id}] must be positive, not {timeout}")
    if group.overflow.kind is OverflowKind.GROUP and group.overflow.group == group.name:
        problems.append("overflow must not go back to the same group")
    return problems
