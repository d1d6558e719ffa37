"""Member order per strategy, from the passed-in ring history."""

from datetime import UTC, datetime, timedelta

import pytest

from appliance.queue import (
    OverflowKind,
    OverflowTarget,
    RingGroup,
    RingGroupError,
    RingHistory,
    RingStrategy,
    member_order,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEMBERS = (1, 2, 3, 4)


@pytest.mark.parametrize("strategy", [RingStrategy.RINGALL, RingStrategy.LINEAR])
def test_configured_order(strategy: RingStrategy) -> None:
    assert member_order(strategy, "g", MEMBERS, RingHistory()) == MEMBERS


def test_rrmemory_starts_after_the_member_rung_last() -> None:
    history = RingHistory().with_rung("g", 2)
    assert member_order(RingStrategy.RRMEMORY, "g", MEMBERS, history) == (3, 4, 1, 2)
    assert member_order(RingStrategy.RRMEMORY, "other", MEMBERS, history) == MEMBERS
    wrapped = history.with_rung("g", 4)
    assert member_order(RingStrategy.RRMEMORY, "g", MEMBERS, wrapped) == MEMBERS


def test_leastrecent_puts_never_called_first_then_longest_idle() -> None:
    history = (
        RingHistory()
        .with_call_completed(1, NOW - timedelta(minutes=1))
        .with_call_completed(3, NOW - timedelta(minutes=30))
        .with_call_completed(4, NOW - timedelta(minutes=10))
    )
    assert member_order(RingStrategy.LEASTRECENT, "g", MEMBERS, history) == (2, 3, 4, 1)


def test_fewestcalls_orders_by_completed_calls_keeping_ties_in_order() -> None:
    history = RingHistory()
    for agent_id, calls in ((1, 3), (2, 1), (3, 1), (4, 0)):
        for _ in range(calls):
            history = history.with_call_completed(agent_id, NOW)
    assert history.calls_taken == {1: 3, 2: 1, 3: 1}
    assert member_order(RingStrategy.FEWESTCALLS, "g", MEMBERS, history) == (4, 2, 3, 1)


def test_history_updates_do_not_change_the_original() -> None:
    history = RingHistory()
    history.with_rung("g", 1)
    history.with_call_completed(1, NOW)
    assert history == RingHistory()


def test_ring_group_problems_are_named() -> None:
    with pytest.raises(RingGroupError, match="members must not be empty"):
        RingGroup("support", ())
    with pytest.raises(RingGroupError, match="members must not repeat"):
        RingGroup("support", (1, 1))
    with pytest.raises(RingGroupError, match="ring_timeout_s must be positive"):
        RingGroup("support", (1,), ring_timeout_s=0)
    with pytest.raises(RingGroupError, match="who is not a member"):
        RingGroup("support", (1,), member_timeouts={2: 10})
    with pytest.raises(RingGroupError, match="same group"):
        RingGroup("support", (1,), overflow=OverflowTarget(OverflowKind.GROUP, "support"))
    with pytest.raises(RingGroupError, match="group name"):
        OverflowTarget(OverflowKind.GROUP)


def test_member_timeout_overrides_the_group_timeout() -> None:
    group = RingGroup("support", (1, 2), ring_timeout_s=20, member_timeouts={2: 45})
    assert (group.timeout_for(1), group.timeout_for(2)) == (20, 45)
