"""A caller reaches an agent: explicit call transfer, and the conference fallback."""

from __future__ import annotations

from pathlib import Path

from appliance.presence import Activity
from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.events import CallRecorded, LineLearned
from appliance.store.models import Call, HistoryEntry

from .desk_harness import AGENT_PHONES, CALLER, start_desk, stop_desk


async def test_caller_is_handed_to_the_first_agent_by_explicit_call_transfer(
        tmp_path: Path) -> None:
    desk = await start_desk(tmp_path)
    try:
        await desk.sim.incoming_call(CALLER)
        await desk.dialled(AGENT_PHONES[0])
        await desk.until(lambda: desk.agents[1].activity is Activity.RINGING)
        await desk.sim.remote_answers()
        recorded = await desk.log.wait_for(CallRecorded)
        assert desk.traffic() == ["ATA", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};", "AT+CHLD=4"]
        assert (recorded.outcome, recorded.agent_id, recorded.method) == ("answered", 1, "ect")
        await desk.settle()
        call = await desk.query(lambda: Call.get())
        assert (call.outcome, call.agent_id, call.number, call.ticket_id) == (
            "answered", 1, CALLER, None)
        assert call.customer_id is not None and call.ring_seconds > 0
        assert desk.agents[1].activity is Activity.ON_CALL or desk.agents[1].activity is \
            Activity.WRAP_UP
        assert desk.line.knowledge.best is ConnectMethod.ECT
        await desk.bus.drain()
        kinds = await desk.query(lambda: [
            h.kind for h in HistoryEntry.select().where(HistoryEntry.customer == call.customer_id)
        ])
        assert "call.recorded" in kinds and "call.answered" in kinds
    finally:
        await stop_desk(desk)


async def test_ect_refused_keeps_a_conference_and_sees_the_end(tmp_path: Path) -> None:
    desk = await start_desk(tmp_path, prepare=lambda sim: sim.network_rejects.add("ect"))
    try:
        await desk.sim.incoming_call(CALLER)
        await desk.dialled(AGENT_PHONES[0])
        await desk.sim.remote_answers()
        await desk.log.wait_for(LineLearned, lambda e: e.method == "conference")
        assert desk.traffic() == [
            "ATA", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};", "AT+CHLD=4", "AT+CHLD=3"]
        assert desk.agents[1].activity is Activity.ON_CALL
        caller = next(c for c in desk.sim.calls if c.incoming)
        await desk.sim.remote_hangs_up(caller.index)
        recorded = await desk.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.method) == ("answered", "conference")
        assert recorded.talk_seconds > 0
        await desk.until(lambda: desk.sim.calls == [])
        assert desk.traffic()[-1] == "AT+CHUP"  # the box releases the agent's leg
        assert desk.line.knowledge.refused == {ConnectMethod.ECT}
    finally:
        await stop_desk(desk)
