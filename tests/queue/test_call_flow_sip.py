"""The call flow on a line that rings in parallel and transfers by REFER (a SIP trunk).

The flow sees only the line's traits: parallel ring, its hand-over order
(blind transfer, then a bridge through the box) and what it has learned.
"""

from __future__ import annotations

from appliance.presence import Activity
from appliance.queue import RingStrategy
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    Answer,
    CreateCallback,
    Deflect,
    DialAgent,
    DialAgents,
    Finished,
    HandOver,
    HangUpAgent,
    HoldCaller,
    Learn,
    Outcome,
    RingAgents,
    StopRinging,
)
from appliance.queue.call_setup import LineTraits, group_for_line
from appliance.queue.connect_methods import ConnectMethod

from .call_flow_harness import NUMBERS, FlowHarness, support

SIP_ORDER = (ConnectMethod.DEFLECT, ConnectMethod.CONFERENCE, ConnectMethod.CALLBACK)
PHONES = {1: "sip:anna@192.0.2.10", 2: "sip:ben@192.0.2.11", 3: "+358501000003"}


def trunk(connect: ConnectMethod = ConnectMethod.DEFLECT) -> LineTraits:
    """A SIP trunk that has learned `connect` as its best method."""
    return LineTraits("voip0", connect=connect, rings_parallel=True, order=SIP_ORDER)


def dial_all(agents: tuple[int, ...]) -> DialAgents:
    return DialAgents(tuple(DialAgent(a, PHONES[a]) for a in agents))


def test_ring_all_on_a_trunk_rings_every_member_at_once_and_joins_through_the_box() -> None:
    h = FlowHarness()
    commands = h.offer(support(RingStrategy.RINGALL), line=trunk(), numbers=PHONES)
    # one REFER cannot fork: a ring-all joins the answered leg instead (the bridge)
    assert commands == [Answer(), HoldCaller(), dial_all((1, 2, 3)), RingAgents((1, 2, 3))]
    assert all(h.agents[a].activity is Activity.RINGING for a in (1, 2, 3))
    commands = h.agent_answers(2, after_s=4)
    assert commands == [HangUpAgent(1), HangUpAgent(3), StopRinging((1, 3)), AgentOnCall(2),
                        HandOver(ConnectMethod.CONFERENCE, 2)]
    assert h.agents[1].activity is Activity.IDLE and h.agents[1].missed_in_row == 0
    assert h.hand_over(True) == [Learn(ConnectMethod.CONFERENCE, True)]
    ended = h.caller_hangs_up(after_s=60)
    record = next(c for c in ended if isinstance(c, Finished)).record
    assert (record.outcome, record.agent_id, record.ring_s) == (Outcome.ANSWERED, 2, 4.0)


def test_a_phone_that_refuses_leaves_the_others_ringing() -> None:
    h = FlowHarness()
    h.offer(support(RingStrategy.RINGALL), line=trunk(), numbers=PHONES)
    assert h.agent_fails(1, missed=False, after_s=1) == [StopRinging((1,), ())]
    assert h.flow is not None and h.flow.dialled == (2, 3)
    assert h.agent_answers(3) == [HangUpAgent(2), StopRinging((2,)), AgentOnCall(3),
                                  HandOver(ConnectMethod.CONFERENCE, 3)]


def test_ring_all_nobody_answers_stops_every_phone_then_rings_all_again() -> None:
    h = FlowHarness()
    h.offer(support(RingStrategy.RINGALL), line=trunk(), numbers=PHONES)
    commands = h.until_wake()
    assert commands[:4] == [HangUpAgent(1), HangUpAgent(2), HangUpAgent(3),
                            StopRinging((1, 2, 3), (1, 2, 3))]
    assert commands[4:] == [dial_all((1, 2, 3)), RingAgents((1, 2, 3))]  # the next round


def test_caller_hanging_up_during_ring_all_stops_every_phone_and_is_owed_a_callback() -> None:
    h = FlowHarness()
    h.offer(support(RingStrategy.RINGALL), line=trunk(), numbers=PHONES)
    commands = h.caller_hangs_up(after_s=3)
    assert commands[:4] == [HangUpAgent(1), HangUpAgent(2), HangUpAgent(3),
                            StopRinging((1, 2, 3))]
    assert any(isinstance(c, CreateCallback) for c in commands)
    record = next(c for c in commands if isinstance(c, Finished)).record
    assert (record.outcome, record.agent_id) == (Outcome.ABANDONED, None)


def test_a_hunt_on_a_fresh_trunk_tries_a_blind_transfer_first() -> None:
    h = FlowHarness()
    commands = h.offer(support(RingStrategy.LINEAR), line=trunk(), numbers=PHONES)
    assert commands == [Deflect(1, PHONES[1]), RingAgents((1,))]


def test_a_refused_transfer_that_lost_the_caller_is_interrupted_and_owed_a_callback() -> None:
    h = FlowHarness()
    h.offer(support(RingStrategy.LINEAR), line=trunk(), numbers=PHONES)
    commands = h.hand_over(False, caller_kept=False)
    assert commands[:2] == [Learn(ConnectMethod.DEFLECT, False), StopRinging((1,))]
    assert CreateCallback("hand_over_refused", None) in commands
    assert not any(isinstance(c, HangUpAgent | AgentFree) for c in commands)
    record = next(c for c in commands if isinstance(c, Finished)).record
    assert (record.outcome, record.reason) == (Outcome.INTERRUPTED, "hand_over_refused")
    assert h.agents[1].activity is Activity.IDLE


def test_a_refused_transfer_that_kept_the_caller_rings_the_agent_and_joins_instead() -> None:
    h = FlowHarness()
    h.offer(support(RingStrategy.LINEAR), line=trunk(), numbers=PHONES)
    commands = h.hand_over(False)
    assert commands == [Learn(ConnectMethod.DEFLECT, False), StopRinging((1,)), Answer(),
                        HoldCaller(), DialAgent(1, PHONES[1]), RingAgents((1,))]
    assert h.agents[1].activity is Activity.RINGING and h.agents[1].missed_in_row == 0
    assert h.agent_answers(1) == [AgentOnCall(1), HandOver(ConnectMethod.CONFERENCE, 1)]
    assert h.hand_over(True) == [Learn(ConnectMethod.CONFERENCE, True)]


def test_a_trunk_that_learned_refer_fails_bridges_a_hunt() -> None:
    h = FlowHarness()
    commands = h.offer(support(RingStrategy.LINEAR), line=trunk(ConnectMethod.CONFERENCE),
                       numbers=PHONES)
    assert commands == [Answer(), HoldCaller(), DialAgent(1, PHONES[1]), RingAgents((1,))]
    h.agent_answers(1)
    # a failed bridge has nothing left but the callback (no deflection once answered)
    commands = h.hand_over(False)
    assert commands[:3] == [Learn(ConnectMethod.CONFERENCE, False), HangUpAgent(1),
                            AgentFree(1, 0.0)]
    assert CreateCallback("hand_over_refused", 1) in commands


def test_ring_all_on_a_modem_stays_a_hunt_and_sip_members_are_out_of_its_reach() -> None:
    group = support(RingStrategy.RINGALL)
    on_modem = group_for_line(group, PHONES)
    assert on_modem is not None
    assert (on_modem.strategy, on_modem.members) == (RingStrategy.LINEAR, (3,))
    on_trunk = group_for_line(group, PHONES, rings_parallel=True, dials_sip=True)
    assert on_trunk is not None
    assert (on_trunk.strategy, on_trunk.members) == (RingStrategy.RINGALL, (1, 2, 3))
    h = FlowHarness()
    assert h.offer(group, numbers=NUMBERS)[2] == DialAgent(1, NUMBERS[1])


def test_joining_and_fallback_follow_the_lines_own_order() -> None:
    assert trunk().joining_method() is ConnectMethod.CONFERENCE
    assert trunk(ConnectMethod.CONFERENCE).joining_method() is ConnectMethod.CONFERENCE
    assert trunk().fallback(ConnectMethod.DEFLECT, answered=True) is ConnectMethod.CONFERENCE
    assert trunk().fallback(ConnectMethod.CONFERENCE, answered=True) is ConnectMethod.CALLBACK
    modem = LineTraits("gsm0")
    assert modem.fallback(ConnectMethod.ECT, answered=True) is ConnectMethod.CONFERENCE
    assert modem.fallback(ConnectMethod.CONFERENCE, answered=True) is ConnectMethod.CALLBACK
