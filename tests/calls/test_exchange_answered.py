"""A caller reaches an agent: explicit call transfer, and the conference fallback."""

from __future__ import annotations

from pathlib import Path

from appliance.presence import Activity
from appliance.queue.connect_methods import ConnectMethod
from appliance.spine.events import CallRecorded, LineLearned
from appliance.store.models import Call, HistoryEntry

from .exchange_harness import AGENT_PHONES, CALLER, start_exchange, stop_exchange


async def test_caller_is_handed_to_the_first_agent_by_explicit_call_transfer(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.until(lambda: exchange.agents[1].activity is Activity.RINGING)
        await exchange.sim.remote_answers()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert exchange.traffic() == ["ATA", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};", "AT+CHLD=4"]
        assert (recorded.outcome, recorded.agent_id, recorded.method) == ("answered", 1, "ect")
        await exchange.settle()
        call = await exchange.query(lambda: Call.get())
        assert (call.outcome, call.agent_id, call.number, call.ticket_id) == (
            "answered", 1, CALLER, None)
        assert call.customer_id is not None and call.ring_seconds > 0
        assert exchange.agents[1].activity is Activity.ON_CALL or exchange.agents[1].activity is \
            Activity.WRAP_UP
        assert exchange.line.knowledge.best is ConnectMethod.ECT
        await exchange.bus.drain()
        kinds = await exchange.query(lambda: [
            h.kind for h in HistoryEntry.select().where(HistoryEntry.customer == call.customer_id)
        ])
        assert "call.recorded" in kinds and "call.answered" in kinds
    finally:
        await stop_exchange(exchange)


async def test_ect_refused_keeps_a_conference_and_sees_the_end(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path, prepare=lambda sim: sim.network_rejects.add("ect"))
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        await exchange.log.wait_for(LineLearned, lambda e: e.method == "conference")
        assert exchange.traffic() == [
            "ATA", "AT+CHLD=2", f"ATD{AGENT_PHONES[0]};", "AT+CHLD=4", "AT+CHLD=3"]
        assert exchange.agents[1].activity is Activity.ON_CALL
        caller = next(c for c in exchange.sim.calls if c.incoming)
        await exchange.sim.remote_hangs_up(caller.index)
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.method) == ("answered", "conference")
        assert recorded.talk_seconds > 0
        await exchange.until(lambda: exchange.sim.calls == [])
        assert exchange.traffic()[-1] == "AT+CHUP"  # the box releases the agent's leg
        assert exchange.line.knowledge.refused == {ConnectMethod.ECT}
    finally:
        await stop_exchange(exchange)
