"""Routing a waiting call through a ring group, step by step."""

from datetime import UTC, datetime, timedelta

from appliance.presence import (
    AgentState,
    Presence,
    call_ended,
    call_started,
    set_presence,
    start_ringing,
)
from appliance.queue import (
    OVERFLOW_MAX_WAIT,
    OVERFLOW_NOBODY,
    CallRouting,
    Overflow,
    OverflowKind,
    OverflowTarget,
    Ring,
    RingGroup,
    RingHistory,
    RingStrategy,
    RoutingStep,
    Wait,
    decide,
    no_answer,
    start_routing,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def later(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def team(*ids: int, presence: Presence = Presence.AVAILABLE) -> dict[int, AgentState]:
    return {i: set_presence(AgentState(i), presence, NOW) for i in ids}


def group(strategy: RingStrategy, **options: object) -> RingGroup:
    settings: dict[object, object] = {"ring_timeout_s": 15, "retry_s": 0, "max_wait_s": 120}
    settings.update(options)
    return RingGroup("support", (1, 2, 3), strategy, **settings)  # type: ignore[arg-type]


def step(
    routing: CallRouting,
    agents: dict[int, AgentState],
    at: datetime,
    history: RingHistory | None = None,
) -> RoutingStep:
    return decide(routing, agents, history or RingHistory(), at)


def rings_in_turn(strategy: RingStrategy, history: RingHistory | None = None) -> list[object]:
    """Decisions of a call nobody answers, each ring timing out, until the round ends."""
    agents = team(1, 2, 3)
    routing = start_routing("c1", group(strategy), NOW)
    decisions: list[object] = []
    at = NOW
    for _ in range(4):
        result = step(routing, agents, at, history)
        decisions.append(result.decision)
        routing = result.routing
        if isinstance(result.decision, Ring):
            at = at + timedelta(seconds=result.decision.timeout_s)
    return decisions


def test_ringall_rings_every_eligible_member_then_again() -> None:
    assert rings_in_turn(RingStrategy.RINGALL)[:2] == [Ring((1, 2, 3), 15), Ring((1, 2, 3), 15)]


def test_linear_hunts_in_order_and_starts_over() -> None:
    assert rings_in_turn(RingStrategy.LINEAR) == [
        Ring((1,), 15),
        Ring((2,), 15),
        Ring((3,), 15),
        Ring((1,), 15),
    ]


def test_rrmemory_continues_after_where_the_last_call_stopped() -> None:
    first = step(start_routing("c1", group(RingStrategy.RRMEMORY), NOW), team(1, 2, 3), NOW)
    assert first.decision == Ring((1,), 15)
    assert first.history.last_rung == {"support": 1}
    second = step(
        start_routing("c2", group(RingStrategy.RRMEMORY), NOW), team(1, 2, 3), NOW, first.history
    )
    assert second.decision == Ring((2,), 15)
    assert rings_in_turn(RingStrategy.RRMEMORY, RingHistory().with_rung("support", 2)) == [
        Ring((3,), 15),
        Ring((1,), 15),
        Ring((2,), 15),
        Ring((3,), 15),
    ]


def test_leastrecent_rings_the_longest_idle_first() -> None:
    history = RingHistory().with_call_completed(1, later(-60)).with_call_completed(2, later(-600))
    assert rings_in_turn(RingStrategy.LEASTRECENT, history)[:3] == [
        Ring((3,), 15),
        Ring((2,), 15),
        Ring((1,), 15),
    ]


def test_fewestcalls_rings_who_took_fewest() -> None:
    history = RingHistory().with_call_completed(1, NOW).with_call_completed(1, NOW)
    history = history.with_call_completed(3, NOW)
    assert rings_in_turn(RingStrategy.FEWESTCALLS, history)[:3] == [
        Ring((2,), 15),
        Ring((3,), 15),
        Ring((1,), 15),
    ]


def test_on_call_ringing_and_wrap_up_members_are_not_rung() -> None:
    agents = team(1, 2, 3, 4)
    agents[1] = call_started(agents[1], NOW)
    agents[2] = start_ringing(agents[2], "other-call", NOW)
    agents[3] = call_ended(call_started(agents[3], NOW), NOW, 30)
    ringall = RingGroup("support", (1, 2, 3, 4), RingStrategy.RINGALL)
    assert step(start_routing("c1", ringall, NOW), agents, NOW).decision == Ring((4,), 20)
    assert step(start_routing("c1", ringall, NOW), agents, later(30)).decision == Ring((3, 4), 20)


def test_busy_member_is_not_rung() -> None:
    agents = team(1, 2, 3)
    agents[1] = set_presence(agents[1], Presence.BUSY, NOW)
    routing = start_routing("c1", group(RingStrategy.LINEAR), NOW)
    assert step(routing, agents, NOW).decision == Ring((2,), 15)


def test_vip_goes_first_to_their_account_manager() -> None:
    agents = team(1, 2, 3, 9)
    routing = start_routing("c1", group(RingStrategy.RINGALL, member_timeouts={}), NOW, 9)
    first = step(routing, agents, NOW)
    assert first.decision == Ring((9,), 15)
    second = step(first.routing, agents, later(15))
    assert second.decision == Ring((1, 2, 3), 15)


def test_vip_manager_who_is_also_a_member_is_not_rung_twice_in_the_round() -> None:
    routing = start_routing("c1", group(RingStrategy.LINEAR), NOW, account_manager_id=3)
    first = step(routing, team(1, 2, 3), NOW)
    assert first.decision == Ring((3,), 15)
    assert step(first.routing, team(1, 2, 3), later(15)).decision == Ring((1,), 15)


def test_vip_manager_on_a_call_is_skipped() -> None:
    agents = team(1, 2, 3, 9)
    agents[9] = call_started(agents[9], NOW)
    routing = start_routing("c1", group(RingStrategy.LINEAR), NOW, account_manager_id=9)
    assert step(routing, agents, NOW).decision == Ring((1,), 15)


def test_while_ringing_the_decision_is_to_wait() -> None:
    first = step(start_routing("c1", group(RingStrategy.LINEAR), NOW), team(1, 2, 3), NOW)
    assert step(first.routing, team(1, 2, 3), later(5)).decision == Wait(later(15))


def test_a_decline_moves_on_at_once_and_skips_the_decliner() -> None:
    first = step(start_routing("c1", group(RingStrategy.LINEAR), NOW), team(1, 2, 3), NOW)
    declined = no_answer(first.routing, 1)
    assert declined.ringing == ()
    assert step(declined, team(1, 2, 3), later(3)).decision == Ring((2,), 15)


def test_ringall_keeps_ringing_the_others_after_one_declines() -> None:
    first = step(start_routing("c1", group(RingStrategy.RINGALL), NOW), team(1, 2, 3), NOW)
    one_declined = no_answer(first.routing, 2)
    assert one_declined.ringing == (1, 3)
    assert step(one_declined, team(1, 2, 3), later(3)).decision == Wait(later(15))


def test_retry_pause_between_rounds() -> None:
    routing = start_routing("c1", group(RingStrategy.RINGALL, retry_s=5), NOW)
    first = step(routing, team(1, 2, 3), NOW)
    pause = step(first.routing, team(1, 2, 3), later(15))
    assert pause.decision == Wait(later(20))
    assert pause.routing.rounds == 1
    assert step(pause.routing, team(1, 2, 3), later(20)).decision == Ring((1, 2, 3), 15)


def test_per_member_timeout_and_cap_at_the_maximum_wait() -> None:
    routing = start_routing("c1", group(RingStrategy.LINEAR, member_timeouts={1: 40}), NOW)
    first = step(routing, team(1, 2, 3), later(100))
    assert first.decision == Ring((1,), 20)  # 40 s asked, 20 s left of the 120 s wait


def test_overflow_after_the_maximum_wait() -> None:
    target = OverflowTarget(OverflowKind.VOICEMAIL)
    routing = start_routing("c1", group(RingStrategy.LINEAR, overflow=target), NOW)
    first = step(routing, team(1, 2, 3), NOW)
    result = step(first.routing, team(1, 2, 3), later(120))
    assert result.decision == Overflow(target, OVERFLOW_MAX_WAIT)
    assert result.routing.ringing == ()


def test_overflow_at_once_when_no_member_is_available() -> None:
    agents = team(1, 2, presence=Presence.AWAY) | team(3, presence=Presence.OFFLINE)
    routing = start_routing("c1", group(RingStrategy.RINGALL), NOW)
    decision = step(routing, agents, NOW).decision
    assert decision == Overflow(OverflowTarget(OverflowKind.CALLBACK), OVERFLOW_NOBODY)


def test_wait_for_the_first_wrap_up_to_end_when_everyone_is_occupied() -> None:
    agents = team(1, 2, 3)
    agents[1] = call_started(agents[1], NOW)
    agents[2] = call_ended(call_started(agents[2], NOW), NOW, 40)
    agents[3] = call_ended(call_started(agents[3], NOW), NOW, 25)
    routing = start_routing("c1", group(RingStrategy.LINEAR), NOW)
    waiting = step(routing, agents, NOW)
    assert waiting.decision == Wait(later(25))
    assert step(waiting.routing, agents, later(25)).decision == Ring((3,), 15)


def test_keep_waiting_when_members_are_on_calls_with_no_wrap_up() -> None:
    agents = {i: call_started(s, NOW) for i, s in team(1, 2, 3).items()}
    no_empty_overflow = group(RingStrategy.RINGALL)
    decision = step(start_routing("c1", no_empty_overflow, NOW), agents, NOW).decision
    assert decision == Wait(later(120))


def test_waiting_with_an_empty_group_when_told_not_to_overflow() -> None:
    agents = team(1, 2, 3, presence=Presence.OFFLINE)
    routing = start_routing("c1", group(RingStrategy.RINGALL, overflow_when_empty=False), NOW)
    assert step(routing, agents, NOW).decision == Wait(later(120))


def test_timed_out_ring_is_reported_and_the_agent_may_be_rung_again() -> None:
    """Driven like the daemon does: agent states follow every decision."""
    solo = RingGroup("solo", (1,), RingStrategy.LINEAR, ring_timeout_s=15, retry_s=0)
    agents = team(1)
    first = step(start_routing("c1", solo, NOW), agents, NOW)
    assert first.decision == Ring((1,), 15) and first.stop_ringing == ()
    agents[1] = start_ringing(agents[1], "c1", NOW)
    second = step(first.routing, agents, later(15))
    assert (second.stop_ringing, second.missed) == ((1,), (1,))
    assert second.decision == Ring((1,), 15)


def test_overflow_while_ringing_stops_the_phones_without_counting_a_miss() -> None:
    routing = start_routing("c1", group(RingStrategy.RINGALL), NOW)
    first = step(routing, team(1, 2, 3), later(110))
    assert first.decision == Ring((1, 2, 3), 10)  # capped by the 120 s maximum wait
    last = step(first.routing, team(1, 2, 3), later(120))
    assert isinstance(last.decision, Overflow)
    assert (last.stop_ringing, last.missed) == ((1, 2, 3), ())


def test_a_decline_is_not_reported_again_at_the_next_step() -> None:
    first = step(start_routing("c1", group(RingStrategy.LINEAR), NOW), team(1, 2, 3), NOW)
    after = step(no_answer(first.routing, 1), team(1, 2, 3), later(2))
    assert after.stop_ringing == () and after.decision == Ring((2,), 15)
