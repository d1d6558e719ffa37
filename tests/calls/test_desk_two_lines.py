"""Two modems serve one queue: each caller gets a different free agent."""

from __future__ import annotations

from pathlib import Path

from appliance.presence import Activity
from appliance.spine.events import CallRecorded

from .desk_harness import AGENT_PHONES, CALLER, add_line, start_desk, stop_desk


async def test_two_lines_ring_two_different_agents_at_once(tmp_path: Path) -> None:
    desk = await start_desk(tmp_path)
    second = await add_line(desk, tmp_path, "gsm1")
    try:
        await desk.sim.incoming_call(CALLER)
        await desk.dialled(AGENT_PHONES[0])
        await desk.until(lambda: desk.agents[1].activity is Activity.RINGING)
        await second.sim.incoming_call("+358409999999")
        await second.sim.wait_for_command(f"ATD{AGENT_PHONES[1]};")  # agent 1 is ringing
        assert not any(c.startswith("ATD") for c in desk.traffic()[3:])
        await desk.sim.remote_answers()
        await second.sim.remote_answers()
        await desk.log.wait_for(CallRecorded, lambda e: e.line == "gsm0")
        await desk.log.wait_for(CallRecorded, lambda e: e.line == "gsm1")
        recorded = {e.line: e.agent_id for e in desk.log.of(CallRecorded)}
        assert recorded == {"gsm0": 1, "gsm1": 2}
    finally:
        await second.stop()
        await stop_desk(desk)
