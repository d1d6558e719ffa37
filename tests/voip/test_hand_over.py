"""Handing a caller to an agent: blind transfer (REFER), its refusal, joining through the box."""

from __future__ import annotations

from pathlib import Path

from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.events import CallEnded, CallOffered, CallStateChanged
from appliance.voip.adapter import VoipLineAdapter
from tests.voip.conftest import BoxFactory, box_target
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import Sipp


async def test_blind_transfer_sends_the_caller_to_the_agent(
        box: VoipLineAdapter, make_box: BoxFactory, events: EventLog, sipps: list[Sipp],
        tmp_path: Path) -> None:
    phone = await Sipp("agent_answers.xml", tmp_path).start()
    sipps.append(phone)
    customer = await make_box(name="customer", user="customer")  # a baresip that obeys REFER
    await customer.line.dial(f"sip:aspa@{box_target(box)}")
    offered = await events.wait_for(CallOffered, lambda e: e.line == "voip0")
    await box.line.answer(offered.call_id)
    assert await box.line.transfer(offered.call_id, phone.uri) is True
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "transferred"
    await customer.stop()  # the customer hangs up on the agent: the agent's phone sees a BYE
    assert await phone.finished() == 0, phone.errors()


async def test_refused_transfer_ends_as_interrupted(box: VoipLineAdapter, events: EventLog,
                                                    sipps: list[Sipp], tmp_path: Path) -> None:
    caller = await Sipp("caller_refuses_refer.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    await box.line.answer(offered.call_id)
    assert await box.line.transfer(offered.call_id, "sip:agent@127.0.0.1:9") is False
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "interrupted"  # baresip 1.0 drops it: the flow makes a callback
    assert box.line.calls == ()
    assert await caller.finished() == 0, caller.errors()


async def test_joining_through_the_box_when_transfer_is_not_available(
        box: VoipLineAdapter, events: EventLog, sipps: list[Sipp], tmp_path: Path) -> None:
    caller = await Sipp("caller_waits.xml", tmp_path, target=box_target(box)).start()
    phone = await Sipp("agent_answers.xml", tmp_path).start()
    sipps.extend([caller, phone])
    offered = await events.wait_for(CallOffered)
    await box.line.answer(offered.call_id)
    leg = await box.line.dial(phone.uri)
    await events.wait_for(CallStateChanged, lambda e: e.call_id == leg and e.state == "active")
    # baresip 1.0 has no attended transfer: the line knows to join through the box
    assert box.line.knowledge.best is ConnectMethod.CONFERENCE
    assert await box.line.hand_over(ConnectMethod.ECT, offered.call_id, leg) is False
    assert await box.line.hand_over(ConnectMethod.CONFERENCE, offered.call_id, leg) is True
    assert {c.call_id for c in box.line.calls} == {offered.call_id, leg}
    await box.line.hang_up(offered.call_id, leg)
    await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    await events.wait_for(CallEnded, lambda e: e.call_id == leg)
    assert [await caller.finished(), await phone.finished()] == [0, 0]
