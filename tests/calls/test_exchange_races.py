"""A exchange button pressed as a call arrives: routing never rings the agent who said busy."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.ports.work_refusal import WorkRefused
from appliance.presence import Activity, Presence, set_presence
from appliance.spine.events import CallOffered, CallRecorded, Event

from .exchange_harness import AGENT_PHONES, CALLER, start_exchange, stop_exchange


async def test_a_press_as_the_call_arrives_sends_the_ring_to_the_next_agent(
        tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        def press_busy(event: Event) -> None:
            # the exchange button of agent 1, pressed the moment the call is offered
            exchange.set_agent(1, lambda s, now: set_presence(s, Presence.BUSY, now))

        exchange.bus.subscribe("exchange-button", press_busy, (CallOffered,))
        await exchange.sim.incoming_call(CALLER)
        await exchange.dialled(AGENT_PHONES[1])
        assert f"ATD{AGENT_PHONES[0]};" not in exchange.traffic()
        assert exchange.agents[1].activity is Activity.IDLE
        assert exchange.agents[2].activity is Activity.RINGING
        # agent 2 clicks "take the next one" while the phone rings: refused, not handed more
        with pytest.raises(WorkRefused, match="ringing"):
            await exchange.board.take_next(2)
        await exchange.sim.remote_answers()
        recorded = await exchange.log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.agent_id) == ("answered", 2)
    finally:
        await stop_exchange(exchange)
