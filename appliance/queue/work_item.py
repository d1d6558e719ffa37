"""One piece of open work: a live call, a callback owed, an SMS thread or an email ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appliance.presence.channel import Channel
from appliance.tickets.priority import Priority


@dataclass(frozen=True, slots=True)
class WorkItem:
    """What the queue needs to know about a piece of work; ids are unique per queue."""

    id: str
    kind: Channel
    created_at: datetime  # for a live call: when the caller started waiting
    priority: Priority = Priority.NORMAL
    sla_due: datetime | None = None
    customer_id: int | None = None
    team_id: int | None = None  # None: any agent may take it
    assignee_id: int | None = None  # set: only this agent may take it
    vip: bool = False
    account_manager_id: int | None = None
    caller_number: str | None = None  # a live call's number as the line gave it; None: withheld
    offered_to: int | None = None  # held for this agent first (their account manager), for now

    def __post_init__(self) -> None:
        for name in ("created_at", "sla_due"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"work item {self.id}: {name} must be an aware datetime")
