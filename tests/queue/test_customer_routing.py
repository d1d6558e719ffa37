"""Routing by customer for work that waits: raised priority, the account manager first."""

from datetime import UTC, datetime, timedelta

from appliance.presence import AgentState, Channel, Presence, set_presence
from appliance.queue import QueueAgent, WorkItem, WorkQueue
from appliance.queue.customer_routing import (
    CustomerRules,
    ManagerRule,
    NewWorkRouting,
    as_offered,
    route_new_work,
)
from appliance.tickets import Priority

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANNA, PEKKA = 1, 2
OFFER = CustomerRules(vip_priority=Priority.HIGH, manager_rule=ManagerRule.OFFER,
                      offer_first_s=600.0)


def state(agent_id: int, presence: Presence = Presence.AVAILABLE) -> AgentState:
    return set_presence(AgentState(agent_id), presence, NOW)


def vip_mail(**extra: object) -> WorkItem:
    values: dict[str, object] = dict(kind=Channel.EMAIL, vip=True, account_manager_id=ANNA,
                                     customer_id=7)
    values.update(extra)
    return WorkItem("ticket:1", created_at=NOW, **values)  # type: ignore[arg-type]


def test_a_vip_is_raised_but_never_lowered() -> None:
    assert route_new_work(vip_mail(), OFFER) == NewWorkRouting(raise_to=Priority.HIGH)
    assert route_new_work(vip_mail(priority=Priority.URGENT), OFFER) == NewWorkRouting()
    assert route_new_work(vip_mail(vip=False), OFFER) == NewWorkRouting()
    assert route_new_work(vip_mail(kind=Channel.CALL), OFFER) == NewWorkRouting()


def test_the_assign_rule_names_the_manager_unless_someone_has_it() -> None:
    assign = CustomerRules(vip_priority=None, manager_rule=ManagerRule.ASSIGN)
    assert route_new_work(vip_mail(), assign) == NewWorkRouting(assign_to=ANNA)
    assert route_new_work(vip_mail(assignee_id=PEKKA), assign) == NewWorkRouting()
    vips_only = CustomerRules(manager_rule=ManagerRule.ASSIGN, managers_for_vips_only=True,
                              vip_priority=None)
    assert route_new_work(vip_mail(vip=False), vips_only) == NewWorkRouting()


def test_held_for_the_manager_while_the_offer_time_runs_and_they_are_in() -> None:
    item = vip_mail()
    assert as_offered(item, OFFER, state(ANNA), NOW).offered_to == ANNA
    assert as_offered(item, OFFER, state(ANNA, Presence.BUSY), NOW).offered_to == ANNA
    later = NOW + timedelta(seconds=600)
    assert as_offered(item, OFFER, state(ANNA), later).offered_to is None
    for gone in (Presence.AWAY, Presence.OFFLINE):
        assert as_offered(item, OFFER, state(ANNA, gone), NOW).offered_to is None
    assert as_offered(item, OFFER, None, NOW).offered_to is None  # not an active agent
    off = CustomerRules(manager_rule=ManagerRule.OFF)
    assert as_offered(item, off, state(ANNA), NOW).offered_to is None


def test_the_queue_gives_a_held_item_to_the_manager_alone() -> None:
    queue = WorkQueue()
    held = as_offered(vip_mail(sla_due=NOW + timedelta(minutes=5)), OFFER, state(ANNA), NOW)
    other = WorkItem("ticket:2", Channel.EMAIL, NOW, sla_due=NOW + timedelta(hours=1))
    queue.put(held)
    queue.put(other)
    anna, pekka = QueueAgent(state(ANNA), frozenset()), QueueAgent(state(PEKKA), frozenset())
    assert queue.next_for(anna, NOW) == held
    assert queue.next_for(pekka, NOW) == other
    queue.put(as_offered(held, OFFER, state(ANNA), NOW + timedelta(minutes=10)))
    assert queue.next_for(pekka, NOW) is not None
    assert queue.next_for(pekka, NOW).id == "ticket:1"  # type: ignore[union-attr]
