"""The `[routing]` and `[escalation]` sections: routing by customer, and what an SLA breach does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.config import value_checks
from appliance.config.schema import in_range, one_of, setting

MANAGER_RULES = ("offer", "assign", "off")
RAISED_PRIORITIES = ("", "normal", "high", "urgent")  # "" keeps the priority
POOL = "pool"


def _reassign_target(value: Any) -> str | None:
    if value in ("", POOL):
        return None
    return value_checks.login(value)


@dataclass(frozen=True)
class RoutingSettings:
    """How email, SMS and callbacks follow the customer (calls: the ring groups)."""

    vip_priority: str = setting(
        "high", "Priority a VIP customer's new email, SMS or callback gets at least; "
        "'' = as any other", check=one_of(*RAISED_PRIORITIES))
    account_manager: str = setting(
        "offer", "Work of a customer with an account manager: 'offer' = only the manager may "
        "take it at first, 'assign' = it is the manager's at once, 'off' = like any other",
        check=one_of(*MANAGER_RULES))
    offer_first_minutes: int = setting(
        10, "Minutes the account manager has the work first (with 'offer'), then everyone",
        check=in_range(0, 7 * 24 * 60))
    managers_for_vips_only: bool = setting(
        False, "Only VIP customers' work goes to the account manager first (as calls do)")


@dataclass(frozen=True)
class EscalationSettings:
    """An SLA warning before the due time, and the actions when it is missed."""

    warn_at_percent: int = setting(
        80, "Warn when this share of the time to the SLA due time has passed; 0 = no warning",
        check=in_range(0, 100))
    breach_priority: str = setting(
        "urgent", "Priority a breached ticket is raised to; '' = keep it",
        check=one_of(*RAISED_PRIORITIES))
    breach_reassign: str = setting(
        "", "At breach give the ticket to this agent's login, or 'pool' = back to everyone; "
        "'' = keep the assignee", check=_reassign_target)
    breach_tell_team: bool = setting(
        True, "At breach tell everyone who may take the ticket (its team, or every agent)")
    check_seconds: int = setting(
        30, "How often the due times are looked at", check=in_range(5, 3600))
