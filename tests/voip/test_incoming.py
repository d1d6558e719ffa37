"""A SIP caller reaches the box: the call is offered to the queue, answered and ended."""

from __future__ import annotations

from pathlib import Path

from appliance.spine.events import CallEnded, CallOffered, CallStateChanged, LineStatus
from appliance.voip.adapter import VoipLineAdapter
from tests.voip.conftest import box_target
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import Sipp


async def test_line_comes_up_without_registering(box: VoipLineAdapter, events: EventLog) -> None:
    status = await events.wait_for(LineStatus, lambda e: e.line == "voip0")
    assert status.registered is True
    assert "not registering" in status.detail
    assert box.health().ok is True
    config = (box.work_dir / "baresip" / "config").read_text()
    assert f"sip_listen\t\t127.0.0.1:{box.settings.sip_port}" in config


async def test_invite_becomes_call_offered_and_caller_hangs_up(
        box: VoipLineAdapter, events: EventLog, sipps: list[Sipp], tmp_path: Path) -> None:
    caller = await Sipp("caller_hangs_up.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    assert offered.line == "voip0"
    assert offered.number == "+358401234567"
    assert offered.number_status == "valid"
    await box.line.answer(offered.call_id)
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "answered"
    assert ended.talk_seconds > 1.0  # the scenario talks for 1.5 s before its BYE
    assert await caller.finished() == 0, caller.errors()
    states = [e.state for e in events.of(CallStateChanged, lambda e: e.call_id == offered.call_id)]
    assert states == ["incoming", "active", "ended"]
    assert box.line.calls == ()


async def test_box_hangs_up_the_caller(box: VoipLineAdapter, events: EventLog,
                                       sipps: list[Sipp], tmp_path: Path) -> None:
    caller = await Sipp("caller_waits.xml", tmp_path, target=box_target(box)).start()
    sipps.append(caller)
    offered = await events.wait_for(CallOffered)
    await box.line.answer(offered.call_id)
    await box.line.hang_up(offered.call_id)
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == offered.call_id)
    assert ended.outcome == "answered"
    assert await caller.finished() == 0, caller.errors()  # it got the BYE and said 200 OK


async def test_two_callers_at_once_are_both_served(box: VoipLineAdapter, events: EventLog,
                                                   sipps: list[Sipp], tmp_path: Path) -> None:
    first = await Sipp("caller_waits.xml", tmp_path, target=box_target(box)).start()
    second = await Sipp("caller_hangs_up.xml", tmp_path, target=box_target(box)).start()
    sipps.extend([first, second])
    await events.wait_for(CallOffered, lambda e: len(events.of(CallOffered)) == 2)
    offers = events.of(CallOffered)
    for offer in offers:
        await box.line.answer(offer.call_id)
    assert {c.state for c in box.line.calls} == {"active"}  # answering one held no other
    leaving = await events.wait_for(CallEnded)  # the second caller hangs up after 1.5 s
    staying = next(o.call_id for o in offers if o.call_id != leaving.call_id)
    assert [c.call_id for c in box.line.calls] == [staying]
    await box.line.hang_up(staying)
    await events.wait_for(CallEnded, lambda e: e.call_id == staying)
    assert [await first.finished(), await second.finished()] == [0, 0]
