"""Hold, conference, transfer (ECT), deflection, call waiting; the network may refuse them."""

from __future__ import annotations

import pytest

from appliance.gsm.errors import OperationNotAllowed
from appliance.spine.events import CallEnded, CallOffered, CallStateChanged

from .line_harness import Line, eventually


async def _caller_and_agent(line: Line) -> tuple[str, str]:
    """Answer a caller, hold them, dial an agent who answers: the ECT set-up."""
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    await line.driver.hold()
    await line.log.wait_for(CallStateChanged,
                            lambda e: e.call_id == offered.call_id and e.state == "held")
    agent = await line.driver.dial("+358501112222")
    await line.sim.remote_answers()

    def agent_active(event: CallStateChanged) -> bool:
        return event.call_id == agent and event.state == "active"

    await line.log.wait_for(CallStateChanged, agent_active)
    return offered.call_id, agent


async def test_explicit_call_transfer_ends_both_legs_as_transferred(line: Line) -> None:
    caller, agent = await _caller_and_agent(line)
    await line.driver.transfer()
    await eventually(lambda: len(line.log.of(CallEnded)) == 2)
    assert {(e.call_id, e.outcome) for e in line.log.of(CallEnded)} == {
        (caller, "transferred"), (agent, "transferred")}
    assert line.driver.capabilities.works("transfer") is True
    assert line.sim.calls == []


async def test_network_refusing_ect_leaves_both_calls_and_is_remembered(line: Line) -> None:
    line.sim.network_rejects.add("ect")
    caller, agent = await _caller_and_agent(line)
    with pytest.raises(OperationNotAllowed):
        await line.driver.transfer()
    assert {c.call_id for c in line.driver.calls} == {caller, agent}
    assert line.driver.capabilities.works("transfer") is False
    assert not line.log.of(CallEnded)


async def test_conference_joins_the_calls(line: Line) -> None:
    caller, _agent = await _caller_and_agent(line)
    await line.driver.conference()
    await line.log.wait_for(CallStateChanged,
                            lambda e: e.call_id == caller and e.state == "active")
    assert all(c.mpty for c in line.sim.calls)
    assert line.driver.capabilities.works("conference") is True


async def test_network_refusing_conference(line: Line) -> None:
    line.sim.network_rejects.add("conference")
    await _caller_and_agent(line)
    with pytest.raises(OperationNotAllowed):
        await line.driver.conference()
    assert line.driver.capabilities.works("conference") is False


async def test_deflect_a_ringing_call(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.deflect(offered.call_id, "+358501112222")
    ended = await line.log.wait_for(CallEnded)
    assert ended.outcome == "deflected"
    assert line.sim.received[-1].startswith('AT+CTFR="+358501112222",145')


async def test_deflection_refused(line: Line) -> None:
    line.sim.network_rejects.add("deflect")
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    with pytest.raises(OperationNotAllowed):
        await line.driver.deflect(offered.call_id, "+358501112222")
    assert line.driver.calls.get(offered.call_id) is not None
    assert line.driver.capabilities.works("deflect") is False


async def test_waiting_call_is_offered_and_can_be_accepted(line: Line) -> None:
    first = await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    await line.sim.incoming_call("+358317654321", name="Bob")
    waiting = await line.log.wait_for(CallOffered, lambda e: e.call_id != offered.call_id)
    assert waiting.number == "+358317654321"
    await line.driver.answer(waiting.call_id)
    await line.log.wait_for(CallStateChanged,
                            lambda e: e.call_id == waiting.call_id and e.state == "active")
    held = line.sim.call(first)
    assert held is not None and held.stat == 1  # the first caller is held


async def test_waiting_call_rejected_with_chld0(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    await line.sim.incoming_call("+358317654321")
    waiting = await line.log.wait_for(CallOffered, lambda e: e.call_id != offered.call_id)
    await line.driver.reject(waiting.call_id)
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == waiting.call_id)
    assert ended.outcome == "rejected"
    assert "AT+CHLD=0" in line.sim.received
    await eventually(lambda: len(line.sim.calls) == 1)
    assert line.driver.calls.get(offered.call_id) is not None
