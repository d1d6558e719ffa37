"""Every ring-group strategy as the call flow rings it on a line with one agent leg."""

from __future__ import annotations

import pytest

from appliance.queue import RingStrategy
from appliance.queue.call_commands import DialAgent, RingAgents
from appliance.queue.call_setup import group_for_line

from .call_flow_harness import NUMBERS, FlowHarness, support


def rung(h: FlowHarness) -> list[int]:
    return [a for c in h.commands if isinstance(c, RingAgents) for a in c.agent_ids]


def answered_call(
    h: FlowHarness, strategy: RingStrategy, call_id: str, agent_after_misses: int
) -> None:
    """A call that rings `agent_after_misses` members in vain, then the next one answers."""
    h.offer(support(strategy), call_id=call_id)
    for _ in range(agent_after_misses):
        h.after(15)
    assert h.flow is not None and h.flow.agent_id is not None
    h.agent_answers(h.flow.agent_id)
    h.hand_over(ok=True)
    h.clock.advance(3600)  # everyone rested


def test_ring_all_rings_members_one_at_a_time_on_one_leg() -> None:
    h = FlowHarness()
    assert h.offer(support(RingStrategy.RINGALL))[-1] == RingAgents((1,))
    h.after(15)
    h.after(15)
    assert rung(h) == [1, 2, 3]
    dialled = [c.agent_id for c in h.commands if isinstance(c, DialAgent)]
    assert dialled == [1, 2, 3]


def test_linear_always_starts_at_the_first_member() -> None:
    h = FlowHarness()
    answered_call(h, RingStrategy.LINEAR, "a", 1)
    answered_call(h, RingStrategy.LINEAR, "b", 0)
    assert rung(h) == [1, 2, 1]


def test_round_robin_with_memory_starts_after_the_member_rung_last() -> None:
    h = FlowHarness()
    answered_call(h, RingStrategy.RRMEMORY, "a", 1)  # 1 then 2 answers
    answered_call(h, RingStrategy.RRMEMORY, "b", 0)  # starts after 2: 3
    answered_call(h, RingStrategy.RRMEMORY, "c", 0)  # after 3: 1
    assert rung(h) == [1, 2, 3, 1]


def test_least_recent_rings_who_has_waited_longest_since_a_call() -> None:
    h = FlowHarness()
    answered_call(h, RingStrategy.LEASTRECENT, "a", 0)  # 1 takes it
    answered_call(h, RingStrategy.LEASTRECENT, "b", 0)  # 2 and 3 never had one: 2
    answered_call(h, RingStrategy.LEASTRECENT, "c", 0)  # 3
    answered_call(h, RingStrategy.LEASTRECENT, "d", 0)  # 1 ended longest ago
    assert rung(h) == [1, 2, 3, 1]


def test_fewest_calls_rings_who_has_taken_fewest() -> None:
    h = FlowHarness()
    answered_call(h, RingStrategy.FEWESTCALLS, "a", 2)  # 1, 2 miss; 3 takes it
    answered_call(h, RingStrategy.FEWESTCALLS, "b", 0)  # 1 (0 calls, first in order)
    answered_call(h, RingStrategy.FEWESTCALLS, "c", 0)  # 2 (0 calls)
    assert rung(h) == [1, 2, 3, 1, 2]
    assert h.history.calls_taken == {3: 1, 1: 1, 2: 1}


@pytest.mark.parametrize("strategy", list(RingStrategy))
def test_members_without_a_number_are_never_rung(strategy: RingStrategy) -> None:
    numbers = {1: NUMBERS[1], 3: NUMBERS[3]}
    adapted = group_for_line(support(strategy), numbers)
    assert adapted is not None and adapted.members == (1, 3)
    h = FlowHarness()
    h.offer(support(strategy), numbers=numbers)
    h.after(15)
    h.after(15)
    assert 2 not in rung(h)
