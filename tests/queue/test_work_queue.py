"""The unified work queue: its order and "next for agent X"."""

from datetime import UTC, datetime, timedelta
from functools import cmp_to_key
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.presence import (
    AgentState,
    Channel,
    Presence,
    call_started,
    may_take,
    set_presence,
    start_ringing,
)
from appliance.queue import QueueAgent, UnknownWorkItem, WorkItem, WorkQueue
from appliance.tickets import Priority

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def agent(
    agent_id: int, presence: Presence = Presence.AVAILABLE, teams: set[int] | None = None
) -> QueueAgent:
    state = set_presence(AgentState(agent_id), presence, NOW)
    return QueueAgent(state, frozenset(teams or ()))


def test_live_calls_first_then_sla_due_then_priority_then_age() -> None:
    queue = WorkQueue()
    items = [
        WorkItem("mail-no-due", Channel.EMAIL, ago(90), Priority.URGENT),
        WorkItem("mail-due-late", Channel.EMAIL, ago(5), sla_due=NOW + timedelta(hours=5)),
        WorkItem("sms-due-soon", Channel.SMS, ago(1), sla_due=NOW + timedelta(hours=1)),
        WorkItem("cb-soon-high", Channel.CALLBACK, ago(1), Priority.HIGH, NOW + timedelta(hours=1)),
        WorkItem("call-new", Channel.CALL, ago(0.5)),
        WorkItem("call-old", Channel.CALL, ago(2), Priority.LOW),
        WorkItem("mail-no-due-low-old", Channel.EMAIL, ago(500), Priority.LOW),
        WorkItem("mail-no-due-urgent-new", Channel.EMAIL, ago(1), Priority.URGENT),
    ]
    for item in items:
        queue.put(item)
    assert [i.id for i in queue] == [
        "call-old",
        "call-new",
        "cb-soon-high",
        "sms-due-soon",
        "mail-due-late",
        "mail-no-due",
        "mail-no-due-urgent-new",
        "mail-no-due-low-old",
    ]
    assert queue.position("sms-due-soon") == 3


def test_put_replaces_and_remove_takes_out() -> None:
    queue = WorkQueue()
    queue.put(WorkItem("m1", Channel.EMAIL, ago(10)))
    queue.put(WorkItem("m2", Channel.EMAIL, ago(5)))
    queue.put(WorkItem("m2", Channel.EMAIL, ago(5), Priority.URGENT, NOW))
    assert len(queue) == 2 and [i.id for i in queue] == ["m2", "m1"]
    assert queue.remove("m2").priority is Priority.URGENT
    assert "m2" not in queue and len(queue) == 1
    with pytest.raises(UnknownWorkItem, match="m2"):
        queue.remove("m2")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        WorkItem("x", Channel.SMS, datetime(2026, 3, 2, 9, 0))


def test_next_for_respects_teams_and_assignees() -> None:
    queue = WorkQueue()
    queue.put(WorkItem("for-bob", Channel.EMAIL, ago(60), assignee_id=2))
    queue.put(WorkItem("sales", Channel.EMAIL, ago(50), team_id=20))
    queue.put(WorkItem("support", Channel.EMAIL, ago(40), team_id=10))
    queue.put(WorkItem("anyone", Channel.EMAIL, ago(30)))
    alice = agent(1, teams={10})
    bob = agent(2, teams={20})
    assert queue.next_for(alice, NOW).id == "support"  # type: ignore[union-attr]
    assert queue.next_for(bob, NOW).id == "for-bob"  # type: ignore[union-attr]
    queue.remove("support")
    assert queue.next_for(alice, NOW).id == "anyone"  # type: ignore[union-attr]
    queue.remove("anyone")
    assert queue.next_for(alice, NOW) is None


def test_ringing_agent_gets_no_email() -> None:
    queue = WorkQueue()
    queue.put(WorkItem("mail", Channel.EMAIL, ago(30)))
    ringing = QueueAgent(start_ringing(agent(1).state, "call-9", NOW))
    on_call = QueueAgent(call_started(agent(2).state, NOW))
    assert queue.next_for(ringing, NOW) is None
    assert queue.next_for(on_call, NOW) is None
    assert queue.next_for(agent(3), NOW).id == "mail"  # type: ignore[union-attr]


def test_only_an_available_agent_gets_work_and_live_calls_can_be_passed_over() -> None:
    queue = WorkQueue()
    queue.put(WorkItem("call", Channel.CALL, ago(1)))
    queue.put(WorkItem("callback", Channel.CALLBACK, ago(20), sla_due=NOW))
    queue.put(WorkItem("sms", Channel.SMS, ago(5), sla_due=NOW + timedelta(hours=1)))
    assert queue.next_for(agent(1), NOW).id == "call"  # type: ignore[union-attr]
    pulled = queue.next_for(agent(1), NOW, live_calls=False)
    assert pulled is not None and pulled.id == "callback"  # a callback owed is still work
    for presence in (Presence.BUSY, Presence.AWAY, Presence.OFFLINE):
        assert queue.next_for(agent(1, presence), NOW) is None


# --- properties against a plain, independent statement of the rules ---------------


def _spec_compare(a: WorkItem, b: WorkItem) -> int:
    """The queue order written out rule by rule, as the brief states it."""

    def cmp(x: Any, y: Any) -> int:
        return int(x > y) - int(x < y)

    a_call, b_call = a.kind is Channel.CALL, b.kind is Channel.CALL
    if a_call != b_call:
        return -1 if a_call else 1
    if a_call:
        return cmp(a.created_at, b.created_at) or cmp(a.id, b.id)
    if (a.sla_due is None) != (b.sla_due is None):
        return 1 if a.sla_due is None else -1
    if a.sla_due is not None and b.sla_due is not None and a.sla_due != b.sla_due:
        return cmp(a.sla_due, b.sla_due)
    order = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
    return (
        cmp(order.index(a.priority), order.index(b.priority))
        or cmp(a.created_at, b.created_at)
        or cmp(a.id, b.id)
    )


_times = st.integers(min_value=-5_000_000, max_value=5_000_000).map(
    lambda us: NOW + timedelta(microseconds=us * 997)
)
_items = st.builds(
    WorkItem,
    id=st.text("abcdef", min_size=1, max_size=4),
    kind=st.sampled_from(list(Channel)),
    created_at=_times,
    priority=st.sampled_from(list(Priority)),
    sla_due=st.none() | _times,
    team_id=st.none() | st.integers(1, 3),
    assignee_id=st.none() | st.integers(1, 4),
)


def _unique(items: list[WorkItem]) -> list[WorkItem]:
    return list({i.id: i for i in items}.values())


@settings(max_examples=200)
@given(items=st.lists(_items, max_size=40), removals=st.integers(0, 10))
def test_queue_order_equals_sorting_by_the_rules(items: list[WorkItem], removals: int) -> None:
    queue = WorkQueue()
    for item in items:
        queue.put(item)  # later duplicates replace earlier ones
    expected = _unique(items)
    for item in expected[:removals]:
        queue.remove(item.id)
    expected = expected[removals:]
    assert list(queue) == sorted(expected, key=cmp_to_key(_spec_compare))


@settings(max_examples=200)
@given(
    items=st.lists(_items, max_size=40),
    agent_id=st.integers(1, 4),
    teams=st.frozensets(st.integers(1, 3)),
    presence=st.sampled_from(list(Presence)),
    on_call=st.booleans(),
)
def test_next_for_is_the_first_item_the_agent_may_take(
    items: list[WorkItem], agent_id: int, teams: frozenset[int], presence: Presence, on_call: bool
) -> None:
    queue = WorkQueue()
    for item in items:
        queue.put(item)
    state = set_presence(AgentState(agent_id), presence, NOW)
    if on_call:
        state = call_started(state, NOW)
    who = QueueAgent(state, teams)

    def allowed(item: WorkItem) -> bool:
        mine = item.assignee_id == agent_id
        open_to_me = item.assignee_id is None and (item.team_id is None or item.team_id in teams)
        return (mine or open_to_me) and may_take(state, item.kind, NOW)

    ordered = sorted(_unique(items), key=cmp_to_key(_spec_compare))
    expected = next((i for i in ordered if allowed(i)), None)
    assert queue.next_for(who, NOW) == expected


@settings(max_examples=200)
@given(
    items=st.lists(_items, max_size=40),
    agent_id=st.integers(1, 4),
    teams=st.frozensets(st.integers(1, 3)),
    removals=st.integers(0, 10),
)
def test_a_queue_built_at_once_is_the_queue_built_item_by_item(
    items: list[WorkItem], agent_id: int, teams: frozenset[int], removals: int
) -> None:
    one_by_one = WorkQueue()
    for item in items:
        one_by_one.put(item)
    at_once = WorkQueue.of(items)  # as the start loads the open tickets
    assert list(at_once) == list(one_by_one)
    assert len(at_once) == len(one_by_one)
    who = QueueAgent(set_presence(AgentState(agent_id), Presence.AVAILABLE, NOW), teams)
    assert at_once.next_for(who, NOW) == one_by_one.next_for(who, NOW)
    for item in _unique(items)[:removals]:  # and it goes on like any other queue
        assert at_once.remove(item.id) == one_by_one.remove(item.id)
        assert at_once.next_for(who, NOW) == one_by_one.next_for(who, NOW)
    assert [at_once.position(i.id) for i in at_once] == list(range(len(at_once)))
