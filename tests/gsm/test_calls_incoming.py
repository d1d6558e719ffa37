"""Incoming calls on every model: offered with caller ID, answered, hung up, missed."""

from __future__ import annotations

from appliance.spine.events import CallEnded, CallOffered, CallStateChanged, LineStatus

from .line_harness import Line, eventually


async def test_call_is_offered_with_the_callers_number(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    assert offered.number == "+358401234567"
    assert offered.number_status == "valid"
    assert offered.line == "gsm0"


async def test_withheld_number_is_offered_without_a_number(line: Line) -> None:
    await line.sim.incoming_call("+358401234567", withheld=True)
    offered = await line.log.wait_for(CallOffered)
    assert offered.number is None
    assert offered.number_status in ("withheld", "unavailable")
    if line.driver.profile.key != "generic" or line.driver.capabilities.works("caller_id"):
        assert offered.number_status == "withheld"


async def test_unavailable_number_is_offered_as_unavailable(line: Line) -> None:
    await line.sim.incoming_call(None)
    offered = await line.log.wait_for(CallOffered)
    assert offered.number is None
    assert offered.number_status == "unavailable"


async def test_answer_then_caller_hangs_up(line: Line) -> None:
    index = await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    sim_call = line.sim.call(index)
    assert sim_call is not None and sim_call.stat == 0
    await line.log.wait_for(CallStateChanged,
                            lambda e: e.call_id == offered.call_id and e.state == "active")
    await line.sim.remote_hangs_up(index)
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "answered"
    assert len(line.driver.calls) == 0


async def test_answer_then_we_hang_up(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    await line.driver.hangup(offered.call_id)
    ended = await line.log.wait_for(CallEnded)
    assert ended.outcome == "answered"
    assert line.sim.calls == []


async def test_caller_gives_up_before_answer_is_a_missed_call(line: Line) -> None:
    index = await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.sim.remote_hangs_up(index)
    # SIM7600 and generic modems say nothing: the +CLCC poll must notice
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "missed"


async def test_reject_a_ringing_call(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.reject(offered.call_id)
    ended = await line.log.wait_for(CallEnded)
    assert ended.outcome == "rejected"
    assert line.sim.calls == []


async def test_repeated_rings_offer_the_call_once(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    await line.log.wait_for(CallOffered)
    for _ in range(3):
        call = line.sim.calls[0]
        line.sim.link.write(b"".join(f"\r\n{x}\r\n".encode() for x in line.sim.ring_lines(call)))
    await line.sim.wait_for_command("AT")  # anything: let the reader run
    await eventually(lambda: line.channel.lines_seen > 6)
    await line.driver.poll_calls()
    assert len(line.log.of(CallOffered)) == 1


async def test_network_loss_ends_the_call_and_reports_the_line(line: Line) -> None:
    await line.sim.incoming_call("+358401234567")
    offered = await line.log.wait_for(CallOffered)
    await line.driver.answer(offered.call_id)
    await line.sim.lose_network()
    ended = await line.log.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "answered"
    status = await line.log.wait_for(LineStatus, lambda e: not e.registered)
    assert status.detail == "searching"
