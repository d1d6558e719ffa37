"""The box rings agents' SIP phones: ringing, answer, no answer, busy, and all at once."""

from __future__ import annotations

from pathlib import Path

from appliance.spine.events import CallEnded, CallStateChanged
from appliance.voip.adapter import VoipLineAdapter
from tests.voip.event_log import EventLog
from tests.voip.sip_peers import Sipp


def states_of(events: EventLog, call_id: str) -> list[str]:
    return [e.state for e in events.of(CallStateChanged, lambda e: e.call_id == call_id)]


async def test_agent_phone_rings_then_answers(box: VoipLineAdapter, events: EventLog,
                                              sipps: list[Sipp], tmp_path: Path) -> None:
    phone = await Sipp("agent_answers.xml", tmp_path).start()
    sipps.append(phone)
    leg = await box.line.dial(phone.uri)
    await events.wait_for(CallStateChanged, lambda e: e.call_id == leg and e.state == "active")
    assert states_of(events, leg) == ["dialing", "alerting", "active"]
    await box.line.hang_up_leg(leg)
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == leg)
    assert ended.outcome == "answered"
    assert await phone.finished() == 0, phone.errors()


async def test_agent_phone_not_answered_is_cancelled(box: VoipLineAdapter, events: EventLog,
                                                     sipps: list[Sipp], tmp_path: Path) -> None:
    phone = await Sipp("agent_no_answer.xml", tmp_path).start()
    sipps.append(phone)
    leg = await box.line.dial(phone.uri)
    await events.wait_for(CallStateChanged, lambda e: e.call_id == leg and e.state == "alerting")
    await box.line.hang_up_leg(leg)  # the ring time is over: CANCEL
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == leg)
    assert ended.outcome != "answered"
    assert await phone.finished() == 0, phone.errors()  # it saw the CANCEL and sent 487


async def test_busy_agent_phone(box: VoipLineAdapter, events: EventLog, sipps: list[Sipp],
                                tmp_path: Path) -> None:
    phone = await Sipp("agent_busy.xml", tmp_path).start()
    sipps.append(phone)
    leg = await box.line.dial(phone.uri)
    ended = await events.wait_for(CallEnded, lambda e: e.call_id == leg)
    assert ended.outcome == "busy"


async def test_ring_all_rings_every_phone_at_once(box: VoipLineAdapter, events: EventLog,
                                                  sipps: list[Sipp], tmp_path: Path) -> None:
    answering = await Sipp("agent_answers.xml", tmp_path).start()
    silent = await Sipp("agent_no_answer.xml", tmp_path).start()
    busy = await Sipp("agent_busy.xml", tmp_path).start()
    sipps.extend([answering, silent, busy])
    legs = await box.line.ring_parallel([answering.uri, silent.uri, busy.uri])
    assert len(set(legs)) == 3
    taken, ringing, refused = legs
    await events.wait_for(CallStateChanged,
                          lambda e: e.call_id == ringing and e.state == "alerting")
    await events.wait_for(CallStateChanged, lambda e: e.call_id == taken and e.state == "active")
    assert (await events.wait_for(CallEnded, lambda e: e.call_id == refused)).outcome == "busy"
    still_ringing = box.line.get(ringing)
    assert still_ringing is not None and still_ringing.state == "alerting"
    await box.line.hang_up_leg(ringing)  # someone answered: the others stop ringing
    await events.wait_for(CallEnded, lambda e: e.call_id == ringing)
    await box.line.hang_up_leg(taken)
    assert (await events.wait_for(CallEnded, lambda e: e.call_id == taken)).outcome == "answered"
    assert [await s.finished() for s in (answering, silent)] == [0, 0]
