"""Routing by customer for every channel that is not a live call: email, SMS and callbacks.

A live call tries a VIP's account manager first for one ring time
(call_routing); work that waits in the queue follows the same idea over a
longer time: a VIP's work gets a raised priority, and work whose customer has
an account manager is held for that agent first (`offer`) for a configured
time, or handed to them at once (`assign`), before anyone else may take it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from appliance.presence.channel import Channel
from appliance.presence.states import AgentState, Presence
from appliance.queue.work_item import WorkItem
from appliance.tickets.priority import Priority


class ManagerRule(StrEnum):
    """What the queue does with work whose customer has an account manager."""

    OFFER = "offer"  # only the manager may take it, for `offer_first_s`; then anyone
    ASSIGN = "assign"  # it is the manager's at once
    OFF = "off"  # no different from any other work


@dataclass(frozen=True, slots=True)
class CustomerRules:
    """The configured routing by customer."""

    vip_priority: Priority | None = Priority.HIGH  # None: a VIP's work keeps its priority
    manager_rule: ManagerRule = ManagerRule.OFFER
    offer_first_s: float = 600.0
    managers_for_vips_only: bool = False  # as calls do when True; else every managed customer


@dataclass(frozen=True, slots=True)
class NewWorkRouting:
    """What to change on a work item that just arrived."""

    raise_to: Priority | None = None
    assign_to: int | None = None

    @property
    def changes_anything(self) -> bool:
        """True when the item is to be written again."""
        return self.raise_to is not None or self.assign_to is not None


def _manager_of(item: WorkItem, rules: CustomerRules) -> int | None:
    if item.account_manager_id is None or rules.manager_rule is ManagerRule.OFF:
        return None
    if rules.managers_for_vips_only and not item.vip:
        return None
    return item.account_manager_id


def route_new_work(item: WorkItem, rules: CustomerRules) -> NewWorkRouting:
    """A raised priority for a VIP, the manager as assignee when the rule says so."""
    if item.kind is Channel.CALL:
        return NewWorkRouting()  # live calls ring by call_routing
    raise_to = None
    if item.vip and rules.vip_priority is not None and rules.vip_priority.rank < item.priority.rank:
        raise_to = rules.vip_priority
    manager = _manager_of(item, rules)
    assign_to = None
    if rules.manager_rule is ManagerRule.ASSIGN and item.assignee_id is None:
        assign_to = manager
    return NewWorkRouting(raise_to, assign_to)


def offer_ends(item: WorkItem, rules: CustomerRules) -> datetime:
    """When an item held for its account manager is offered to everyone."""
    return item.created_at + timedelta(seconds=rules.offer_first_s)


def as_offered(item: WorkItem, rules: CustomerRules, manager: AgentState | None,
               now: datetime) -> WorkItem:
    """The item as the queue files it now: held for the account manager, or open to all.

    Held only while the offer time runs and the manager is at work (not away or
    offline, and still an active agent): like a call, it does not wait for a manager
    who cannot take it.
    """
    manager_id = _manager_of(item, rules)
    held = (
        rules.manager_rule is ManagerRule.OFFER
        and manager_id is not None
        and item.assignee_id is None
        and item.kind is not Channel.CALL
        and manager is not None
        and manager.presence not in (Presence.AWAY, Presence.OFFLINE)
        and now < offer_ends(item, rules)
    )
    offered_to = manager_id if held else None
    return item if item.offered_to == offered_to else replace(item, offered_to=offered_to)
