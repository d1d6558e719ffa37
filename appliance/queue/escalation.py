"""SLA escalation: a warning before an item's due time, and the configured actions at breach.

The warning comes when a share of the time from the item's arrival to its due
time has passed (`warn_at` 0.8: at 80 % of the target); the breach when the
due time itself has. Each is told once per due time: a new due time (a new
priority, a first reply, a pending pause) starts them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from appliance.presence.channel import Channel
from appliance.queue.work_item import WorkItem
from appliance.tickets.priority import Priority

POOL = "pool"  # reassign at breach: back to everyone


class SlaStage(StrEnum):
    """How far an item is past its target."""

    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True, slots=True)
class EscalationRules:
    """When to warn, and what to do at breach."""

    warn_at: float = 0.8  # share of the time to the due time; 0 turns warnings off
    raise_to: Priority | None = Priority.URGENT  # at breach; None: keep the priority
    reassign_to: str | None = None  # at breach: an agent's login, POOL, or None to keep
    tell_team: bool = True  # at breach: everyone who may take the item is told


@dataclass(frozen=True, slots=True)
class SlaAlert:
    """One item reaching a stage for one due time."""

    item: WorkItem
    stage: SlaStage
    due: datetime

    @property
    def key(self) -> str:
        """The same alert always has the same key (told once)."""
        return alert_key(self.stage, self.item.id, self.due)


def alert_key(stage: SlaStage, item_id: str, due: datetime) -> str:
    """The key an item's alert is kept under in the notice log."""
    return f"sla-{stage.value}:{item_id}:{due.isoformat()}"


def warning_time(item: WorkItem, rules: EscalationRules) -> datetime | None:
    """When the item is warned of, None when never."""
    if item.sla_due is None or rules.warn_at <= 0:
        return None
    return item.created_at + (item.sla_due - item.created_at) * min(rules.warn_at, 1.0)


def sla_stage(item: WorkItem, now: datetime, rules: EscalationRules) -> SlaStage | None:
    """The stage an item is at now, None when all is well (or it has no due time)."""
    if item.kind is Channel.CALL or item.sla_due is None:
        return None
    if now >= item.sla_due:
        return SlaStage.BREACH
    warn = warning_time(item, rules)
    if warn is not None and now >= warn:
        return SlaStage.WARNING
    return None


def sla_alerts(items: Iterable[WorkItem], now: datetime,
               rules: EscalationRules) -> Iterator[SlaAlert]:
    """Every item at a warning or breach now, in the order given, one at a time."""
    for item in items:
        stage = sla_stage(item, now, rules)
        if stage is not None and item.sla_due is not None:
            yield SlaAlert(item, stage, item.sla_due)


@dataclass(frozen=True, slots=True)
class BreachActions:
    """What to change on a breached item."""

    raise_to: Priority | None = None
    reassign: bool = False
    assign_to: int | None = None  # with reassign: None is back to the pool
    tell_team: bool = False


def breach_actions(item: WorkItem, rules: EscalationRules,
                   named_agent: int | None) -> BreachActions:
    """The configured actions for this item (`named_agent`: the reassign login's id, if any)."""
    raise_to = None
    if rules.raise_to is not None and rules.raise_to.rank < item.priority.rank:
        raise_to = rules.raise_to
    reassign, assign_to = False, None
    if rules.reassign_to == POOL:
        reassign = item.assignee_id is not None
    elif rules.reassign_to and named_agent is not None and item.assignee_id != named_agent:
        reassign, assign_to = True, named_agent
    return BreachActions(raise_to, reassign, assign_to, rules.tell_team)
