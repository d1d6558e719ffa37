"""The `[queue]` section and `[[ring_groups]]`: who is rung for a call, how and for how long."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import in_range, non_empty, one_of, setting
from appliance.config.shown_value import shown

STRATEGIES = ("ringall", "linear", "rrmemory", "leastrecent", "fewestcalls")
OVERFLOW_GROUP_PREFIX = "group:"


def _overflow(value: str) -> str | None:
    if value in ("callback", "voicemail"):
        return None
    if value.startswith(OVERFLOW_GROUP_PREFIX) and value[len(OVERFLOW_GROUP_PREFIX):]:
        return None
    return f"must be callback, voicemail or group:NAME, not {shown(value)}"


@dataclass(frozen=True)
class RingGroupSettings:
    """One ring group: members in order, a strategy and its time limits."""

    name: str = setting(doc="Name of the group, e.g. 'tuki'", check=non_empty)
    members: list[str] = setting(doc="Agent logins in ring order", factory=list)
    strategy: str = setting(
        "ringall",
        "ringall = all at once, linear = in order, rrmemory = round robin from after the last "
        "one rung, leastrecent = longest idle first, fewestcalls = fewest calls today first",
        check=one_of(*STRATEGIES),
    )
    ring_timeout: int = setting(
        20, "Seconds one agent (or everyone, for ringall) is rung before moving on",
        check=in_range(5, 300))
    wrap_up: int = setting(
        30, "Seconds after a call before the agent is offered the next one",
        check=in_range(0, 3600))
    max_wait: int = setting(
        180, "Seconds a caller may wait in the queue before the overflow", check=in_range(10, 3600))
    overflow: str = setting(
        "callback",
        "After max_wait: callback (hang up, create a callback and send an SMS), voicemail, "
        "or group:NAME to try another ring group",
        check=_overflow,
    )

    def validate(self) -> list[str]:
        """At least one member, none twice, and no overflow into itself."""
        problems: list[str] = []
        if not self.members:
            problems.append("members: must name at least one agent login")
        seen: set[str] = set()
        for i, login in enumerate(self.members):
            if login in seen:
                problems.append(f"members[{i}]: {shown(login)} is listed twice")
            seen.add(login)
        if self.overflow_group == self.name:
            problems.append(f"overflow: {shown(self.overflow)} is this group itself")
        return problems

    @property
    def overflow_group(self) -> str | None:
        """The ring group named by overflow = group:NAME, else None."""
        if self.overflow.startswith(OVERFLOW_GROUP_PREFIX):
            return self.overflow[len(OVERFLOW_GROUP_PREFIX):]
        return None


@dataclass(frozen=True)
class QueueSettings:
    """Where an incoming call goes first."""

    default_group: str = setting(
        "", "Ring group that answers the company number; empty = the first [[ring_groups]]")
