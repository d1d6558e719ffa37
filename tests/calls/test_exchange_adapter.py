"""The exchange adapter built from aspa.toml, on a real store and a simulated modem."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.calls.adapter import ExchangeAdapter
from appliance.calls.call_voice import CallVoice
from appliance.config.aspa_toml import config_from_mapping
from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.gsm.driver import ModemDriver
from appliance.gsm.line import GsmLine
from appliance.gsm.simulator import create_simulator
from appliance.gsm.supervisor import ModemSupervisor
from appliance.presence import Presence, set_presence
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.spine.events import CallRecorded
from appliance.store.models import Agent, Call
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from tests.gsm.line_harness import EventLog, eventually, fast_settings

CONFIG = {
    "agents": [{"login": "anna", "name": "Anna", "phone": "+358501000001"}],
    "ring_groups": [{"name": "tuki", "members": ["anna"], "strategy": "ringall"}],
    "calls": {"language": "en"},
    "business_hours": {"weekly": {day: ["00:00-24:00"] for day in (
        "mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
}


async def _board(worker: StoreWorker, bus: EventBus,
                 clock: SystemClock) -> tuple[Switchboard, TicketBook]:
    board = Switchboard(worker, bus, clock)
    await board.load()
    tickets = TicketBook(worker.db, bus, clock, worker=worker)
    board.use_tickets(tickets)
    return board, tickets


async def test_a_configured_desk_answers_a_call_and_reports_its_health(tmp_path: Path) -> None:
    db = open_store(tmp_path / "aspa.db")
    Agent.create(name="Anna", login="anna", phone="+358501000001")
    db.close()
    config = config_from_mapping(CONFIG, tmp_path)
    sim = create_simulator("generic", tmp_path, "gsm-modem", ring_interval=None)
    await sim.start()
    bus = EventBus()
    log = EventLog(bus)
    worker = StoreWorker(db)
    clock = SystemClock()
    driver = ModemDriver(fast_settings(sim.path), bus, clock=clock)
    supervisor = ModemSupervisor(driver)
    board, tickets = await _board(worker, bus, clock)
    board.change_presence(1, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                          source="test")
    line = GsmLine(driver)
    adapter = ExchangeAdapter(config, db=db, store=worker, bus=bus, clock=clock, board=board,
                              tickets=tickets, lines=lambda: [line])
    bus.start()
    task = asyncio.get_running_loop().create_task(supervisor.run())
    try:
        await eventually(lambda: supervisor.state == "up", 5.0)
        assert not adapter.health().ok
        await adapter.start()
        assert adapter.health().detail == "0 calls in hand; gsm0: ect"
        await sim.incoming_call("+358401234567")
        await sim.wait_for_command("ATD+358501000001;")
        await sim.remote_answers()
        recorded = await log.wait_for(CallRecorded)
        assert (recorded.outcome, recorded.agent_id) == ("answered", 1)
        await bus.drain()
        row = await worker.call(lambda: Call.get())
        assert row.outcome == "answered"
        # [calls] saved on the settings page: the running exchange takes it for the next call
        exchange = adapter.exchange
        assert exchange is not None
        exchange.voice = CallVoice(CallSpeechSettings(), prompts_dir=tmp_path / "prompts",
                                   cache_dir=tmp_path / "speech",
                                   attachments_dir=tmp_path / "attachments")
        calls = {"language": "fi", "voicemail_max_seconds": 45, "sms_fi": "Soitamme pian.",
                 "callback_retry_minutes": [5, 30]}
        await adapter.use_config(config_from_mapping({**CONFIG, "calls": calls}, tmp_path))
        assert exchange.voice.rules.max_seconds == 45
        plan = exchange.plan
        assert plan.rules.language == "fi" and plan.rules.sms_texts["fi"] == "Soitamme pian."
        assert plan.callback_retry_minutes == (5, 30)
    finally:
        await adapter.stop()
        await supervisor.stop()
        await task
        await sim.stop()
        await bus.stop()
        worker.close()


async def test_demo_callers_bring_calls_that_all_end_recorded(tmp_path: Path) -> None:
    from appliance.demo.callers import DemoCallers, DemoPace

    from .exchange_harness import start_exchange, stop_exchange

    exchange = await start_exchange(tmp_path)
    pace = DemoPace(arrival_s=(0.3, 0.5), answer_chance=0.5, answer_after_s=(0.05, 0.2),
                    talk_s=(0.1, 0.2), give_up_chance=0.2, give_up_after_s=(0.1, 0.3))
    callers = DemoCallers(exchange.sim, pace, seed=7)
    try:
        async with asyncio.timeout(30):  # six short calls; generous for a loaded machine
            await callers.run(calls=6)
        await eventually(lambda: len(exchange.log.of(CallRecorded)) == 6, 10.0)
        outcomes = {e.outcome for e in exchange.log.of(CallRecorded)}
        assert "answered" in outcomes
        assert callers.placed == 6
    finally:
        await stop_exchange(exchange)


async def test_the_desk_serves_the_voip_line_and_rings_sip_phones_there(tmp_path: Path) -> None:
    from appliance.calls.line_memory import save_knowledge
    from appliance.config.sections.voip import VoipSettings
    from appliance.queue.connect_methods import ConnectKnowledge, ConnectMethod
    from appliance.voip.voip_line import VoipLine

    db = open_store(tmp_path / "aspa.db")
    Agent.create(name="Anna", login="anna", phone="+358501000001", sip_uri="sip:anna@pbx.test")
    save_knowledge("voip0", ConnectKnowledge(refused=frozenset({ConnectMethod.DEFLECT})))
    db.close()
    config = config_from_mapping(CONFIG, tmp_path)
    bus = EventBus()
    clock = SystemClock()
    worker = StoreWorker(db)
    voip = VoipLine(VoipSettings(enabled=True), bus, clock)
    board, tickets = await _board(worker, bus, clock)
    adapter = ExchangeAdapter(config, db=db, store=worker, bus=bus, clock=clock, board=board,
                              tickets=tickets, lines=lambda: [voip])
    try:
        await adapter.start()
        exchange = adapter.exchange
        assert exchange is not None and exchange.lines == {"voip0": voip}
        assert exchange.plan.reach(dials_sip=True) == {1: "sip:anna@pbx.test"}
        assert exchange.groups_for(voip)["tuki"].members == (1,)
        # what the line learned before the restart, and still no attended transfer
        assert voip.knowledge.refused == {ConnectMethod.DEFLECT, ConnectMethod.ECT}
    finally:
        await adapter.stop()
        worker.close()
