"""Every ring-group strategy on the line: who is dialled for two calls in a row."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.queue import RingStrategy
from appliance.queue.call_setup import FlowRules
from appliance.spine.events import CallRecorded

from .exchange_harness import AGENT_PHONES, CALLER, quick_group, start_exchange, stop_exchange

# The first call is answered by agent 1 (rung first by every strategy on a fresh history).
SECOND_CALL_RINGS = {
    RingStrategy.RINGALL: 1,  # one leg per call: members in order, like linear
    RingStrategy.LINEAR: 1,
    RingStrategy.RRMEMORY: 2,  # after the member rung last
    RingStrategy.LEASTRECENT: 2,  # 2 and 3 have had no call; 2 comes first in order
    RingStrategy.FEWESTCALLS: 2,  # 1 has taken one call today
}


@pytest.mark.parametrize("strategy", list(RingStrategy))
async def test_strategy_picks_the_agent_for_the_next_call(
        tmp_path: Path, strategy: RingStrategy) -> None:
    exchange = await start_exchange(tmp_path, group=quick_group(strategy),
                            rules=FlowRules(assumed_talk_s=0))
    try:
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[0])
        await exchange.sim.remote_answers()
        await exchange.log.wait_for(CallRecorded)
        await exchange.until(lambda: exchange.sim.calls == [])
        await exchange.settle()
        exchange.mark = len(exchange.sim.received)
        await exchange.sim.incoming_call("+358409999999")
        agent = SECOND_CALL_RINGS[strategy]
        await exchange.dialled(AGENT_PHONES[agent - 1])
        assert [c for c in exchange.traffic() if c.startswith("ATD")] == [
            f"ATD{AGENT_PHONES[agent - 1]};"]
    finally:
        await stop_exchange(exchange)
