"""The exchange with a real baresip as its VoIP line, sipp callers and sipp agent phones.

The exchange of `desk_harness` (real store, simulated modem as gsm0) gets a
second line, voip0: baresip from Aspa's config on loopback. Agents' phones
are sipp runs whose SIP URIs stand in the plan as the agents' numbers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.calls.line_memory import load_knowledge
from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod
from appliance.voip.adapter import VoipLineAdapter
from tests.peers.binaries import require
from tests.voip.conftest import box_target, loopback_settings
from tests.voip.sip_peers import BARESIP, SIPP, Sipp

from .exchange_harness import RunningExchange, start_exchange, stop_exchange

# The line has learned that callers refuse REFER: it joins calls through the box at once.
BRIDGE_FIRST = ConnectKnowledge(refused=frozenset({ConnectMethod.DEFLECT}))


@dataclass
class VoipExchange:
    """A running exchange with its VoIP line and the sipp peers of one scenario."""

    exchange: RunningExchange
    box: VoipLineAdapter
    tmp_path: Path
    sipps: list[Sipp] = field(default_factory=list)

    async def phone(self, scenario: str) -> Sipp:
        """An agent's SIP phone, waiting for the box's INVITE."""
        phone = await Sipp(scenario, self.tmp_path).start()
        self.sipps.append(phone)
        return phone

    async def caller(self, scenario: str) -> Sipp:
        """A customer calling the box."""
        caller = await Sipp(scenario, self.tmp_path, target=box_target(self.box)).start()
        self.sipps.append(caller)
        return caller

    async def stored_knowledge(self) -> ConnectKnowledge:
        return await self.exchange.query(lambda: load_knowledge(self.box.name))

    async def stop(self) -> None:
        for run in self.sipps:
            await run.stop()
        with contextlib.suppress(Exception):  # a test that killed baresip leaves less to stop
            await self.box.stop()
        await stop_exchange(self.exchange)


def phones(tmp_path: Path, *scenarios: str) -> list[Sipp]:
    """Agent phones (not started yet): their URIs go into the plan before the exchange starts."""
    require(BARESIP)
    require(SIPP)
    return [Sipp(scenario, tmp_path) for scenario in scenarios]


async def start_voip_exchange(
    tmp_path: Path, numbers: dict[int, str], *,
    knowledge: ConnectKnowledge | None = None, **options: Any,
) -> VoipExchange:
    """The exchange (agents 1-3, `numbers` as their phones) serving gsm0 and voip0."""
    require(BARESIP)
    require(SIPP)
    exchange = await start_exchange(tmp_path, numbers=numbers, **options)
    box = VoipLineAdapter(loopback_settings(), exchange.bus, exchange.exchange.clock,
                          tmp_path / "voip")
    running = VoipExchange(exchange, box, tmp_path)
    try:
        await box.start()
    except Exception:
        await stop_exchange(exchange)
        raise
    if knowledge is not None:
        box.line.restore(knowledge)
    exchange.exchange.add_line(box.line)
    return running
