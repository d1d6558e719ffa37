"""The core's routing-by-customer and escalation rules, from `[routing]` and `[escalation]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.queue.escalation import POOL, EscalationRules
from appliance.tickets.priority import Priority

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config


def customer_rules(config: Config) -> CustomerRules:
    """How email, SMS and callbacks follow their customer."""
    routing = config.routing
    return CustomerRules(
        vip_priority=Priority(routing.vip_priority) if routing.vip_priority else None,
        manager_rule=ManagerRule(routing.account_manager),
        offer_first_s=routing.offer_first_minutes * 60.0,
        managers_for_vips_only=routing.managers_for_vips_only,
    )


def escalation_rules(config: Config) -> EscalationRules:
    """When a warning comes, and what a breach does."""
    escalation = config.escalation
    reassign = escalation.breach_reassign or None
    return EscalationRules(
        warn_at=escalation.warn_at_percent / 100.0,
        raise_to=Priority(escalation.breach_priority) if escalation.breach_priority else None,
        reassign_to=POOL if reassign == POOL else reassign,
        tell_team=escalation.breach_tell_team,
    )
