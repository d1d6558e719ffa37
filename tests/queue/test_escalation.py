"""SLA warnings at a share of the target, breach at the due time, and the breach actions."""

from datetime import UTC, datetime, timedelta

from appliance.presence import Channel
from appliance.queue import WorkItem
from appliance.queue.escalation import (
    POOL,
    BreachActions,
    EscalationRules,
    SlaStage,
    breach_actions,
    sla_alerts,
    sla_stage,
)
from appliance.tickets import Priority

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = START + timedelta(minutes=100)


def item(**extra: object) -> WorkItem:
    values: dict[str, object] = dict(kind=Channel.EMAIL, sla_due=DUE, assignee_id=3)
    values.update(extra)
    return WorkItem("ticket:9", created_at=START, **values)  # type: ignore[arg-type]


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_warning_at_the_share_then_breach_at_the_due_time() -> None:
    rules = EscalationRules(warn_at=0.8)
    assert sla_stage(item(), at(79), rules) is None
    assert sla_stage(item(), at(80), rules) is SlaStage.WARNING
    assert sla_stage(item(), at(99), rules) is SlaStage.WARNING
    assert sla_stage(item(), at(100), rules) is SlaStage.BREACH
    assert sla_stage(item(), at(80), EscalationRules(warn_at=0)) is None  # warnings off
    assert sla_stage(item(sla_due=None), at(500), rules) is None
    assert sla_stage(item(kind=Channel.CALL), at(500), rules) is None


def test_an_alert_is_keyed_by_item_stage_and_due_time() -> None:
    (alert,) = sla_alerts([item()], at(80), EscalationRules())
    assert alert.key == f"sla-warning:ticket:9:{DUE.isoformat()}"
    (moved,) = sla_alerts([item(sla_due=DUE + timedelta(minutes=1))], at(100),
                          EscalationRules())
    assert moved.key != alert.key


def test_breach_actions() -> None:
    rules = EscalationRules(raise_to=Priority.URGENT, reassign_to=POOL, tell_team=True)
    assert breach_actions(item(), rules, None) == BreachActions(Priority.URGENT, True, None, True)
    assert breach_actions(item(priority=Priority.URGENT, assignee_id=None), rules,
                          None) == BreachActions(None, False, None, True)
    named = EscalationRules(raise_to=None, reassign_to="esimies", tell_team=False)
    assert breach_actions(item(), named, 5) == BreachActions(None, True, 5, False)
    assert breach_actions(item(assignee_id=5), named, 5) == BreachActions()
    assert breach_actions(item(), named, None) == BreachActions()  # no such agent: kept
