"""Two modems serve one queue: each caller gets a different free agent."""

from __future__ import annotations

from pathlib import Path

from appliance.presence import Activity
from appliance.spine.events import CallRecorded

from .exchange_harness import AGENT_PHONES, CALLER, add_line, start_exchange, stop_exchange


async def test_two_lines_ring_two_different_agents_at_once(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    second = await add_line(exchange, tmp_path, "gsm1")
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.until(lambda: exchange.agents[1].activity is Activity.RINGING)
        await second.sim.incoming_call("+358409999999")
        await second.sim.wait_for_command(f"ATD{AGENT_PHONES[1]};")  # agent 1 is ringing
        assert not any(c.startswith("ATD") for c in exchange.traffic()[3:])
        await exchange.sim.remote_answers()
        await second.sim.remote_answers()
        await exchange.log.wait_for(CallRecorded, lambda e: e.line == "gsm0")
        await exchange.log.wait_for(CallRecorded, lambda e: e.line == "gsm1")
        recorded = {e.line: e.agent_id for e in exchange.log.of(CallRecorded)}
        assert recorded == {"gsm0": 1, "gsm1": 2}
    finally:
        await second.stop()
        await stop_exchange(exchange)
