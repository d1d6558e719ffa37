"""A call exchange on a real store and a simulated modem (pty, real driver, real supervisor)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import peewee as pw

from appliance.calls.exchange import Exchange
from appliance.calls.exchange_plan import ExchangePlan
from appliance.calls.line_memory import load_knowledge
from appliance.gsm.driver import ModemDriver
from appliance.gsm.line import GsmLine
from appliance.gsm.pdu_decode import decode_pdu
from appliance.gsm.simulator import SimulatedModem, create_simulator
from appliance.gsm.sms_messages import SmsSubmit
from appliance.gsm.supervisor import ModemSupervisor
from appliance.ports.presence import AgentTransition
from appliance.presence import AgentState, Presence, set_presence
from appliance.queue import RingGroup, RingStrategy
from appliance.queue.call_commands import Prompt
from appliance.queue.call_setup import FlowRules
from appliance.queue.customer_routing import CustomerRules
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.customers import CustomerDirectory
from appliance.store.history import HistoryWriter
from appliance.store.models import Agent
from appliance.store.startup import open_store
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import NO_CUSTOMER_RULES, Switchboard
from appliance.tickets.business_calendar import BusinessCalendar

if TYPE_CHECKING:
    from appliance.calls.call_voice import CallVoice
from tests.gsm.line_harness import EventLog, eventually, fast_settings

T = TypeVar("T")
SPEECH_CACHE = Path(tempfile.gettempdir()) / "aspa-test-speech"  # rendered once, kept between runs
AGENT_PHONES = ("+358501000001", "+358501000002", "+358501000003")
CALLER = "+358401234567"
# Polls the driver and supervisor send on their own schedule; they say nothing about a call.
POLLS = frozenset({"AT", "AT+CLCC", "AT+CSQ", "AT+COPS?", "AT+CREG?", "AT+CEREG?", "AT+CPIN?"})
PROMPTS = {Prompt.GREETING: r"C:\User\greeting.amr", Prompt.CLOSED: r"C:\User\closed.amr",
           Prompt.CALLBACK: r"C:\User\callback.amr"}


def quick_group(strategy: RingStrategy = RingStrategy.LINEAR, **options: Any) -> RingGroup:
    """The three agents, rung briefly, waits cut short: a scenario takes well under a second."""
    values: dict[str, Any] = {"ring_timeout_s": 0.4, "retry_s": 0.0, "max_wait_s": 1.5,
                              "wrap_up_s": 0.0}
    values.update(options)
    return RingGroup("tuki", (1, 2, 3), strategy, **values)


@dataclass
class RunningExchange:
    """Everything of one running scenario."""

    sim: SimulatedModem
    driver: ModemDriver
    supervisor: ModemSupervisor
    exchange: Exchange
    line: GsmLine
    bus: EventBus
    log: EventLog
    worker: StoreWorker
    board: Switchboard
    supervisor_task: asyncio.Task[None]
    mark: int = 0

    @property
    def agents(self) -> dict[int, AgentState]:
        """Every agent's state now, as the switchboard holds it."""
        return self.board.agents()

    def set_agent(self, agent_id: int, transition: AgentTransition) -> None:
        """Change an agent as a button or a click would, through the switchboard."""
        self.board.change_presence(agent_id, transition, source="test")

    def traffic(self) -> list[str]:
        """Commands the box wrote since the scenario began, without the periodic polls."""
        return [c for c in self.sim.received[self.mark:] if c not in POLLS]

    def sent_sms(self) -> list[tuple[str, str]]:
        """(recipient, text) of every SMS the box gave the network."""
        sent = []
        for pdu_hex in self.sim.sent_sms:
            submit = decode_pdu(pdu_hex)
            assert isinstance(submit, SmsSubmit)
            sent.append((submit.recipient.value, submit.text))
        return sent

    async def query(self, fn: Callable[[], T]) -> T:
        return await self.worker.call(fn)

    async def settle(self) -> None:
        await self.exchange.settle()
        await self.exchange.idle.wait()

    async def dialled(self, number: str, within: float = 3.0) -> None:
        await self.sim.wait_for_command(f"ATD{number};", within=within, start=self.mark)

    async def wait_command(self, prefix: str, within: float = 3.0) -> None:
        await self.sim.wait_for_command(prefix, within=within, start=self.mark)

    async def until(self, check: Callable[[], bool], within: float = 3.0) -> None:
        await eventually(check, within)


def _seed_agents(db: pw.Database) -> None:
    if Agent.select().exists():
        return  # the same store again, as after a restart
    for i, phone in enumerate(AGENT_PHONES, start=1):
        Agent.create(id=i, name=f"Agent {i}", login=f"agent{i}", phone=phone)


async def start_exchange(
    tmp_path: Path,
    *,
    model: str = "generic",
    group: RingGroup | None = None,
    rules: FlowRules | None = None,
    calendar: BusinessCalendar | None = None,
    prompts: dict[Prompt, str] | None = None,
    missed_limit: int = 3,
    prepare: Callable[[SimulatedModem], None] | None = None,
    seed: Callable[[], None] | None = None,
    numbers: dict[int, str] | None = None,
    sound: bool = False,
    customer_rules: CustomerRules | None = None,
    **plan_options: Any,
) -> RunningExchange:
    """The exchange on one simulated modem; `sound`: the call's audio through the box."""
    db = open_store(tmp_path / "aspa.db")
    _seed_agents(db)
    if seed is not None:
        seed()
    db.close()
    sim = create_simulator(model, tmp_path, "gsm-modem", ring_interval=None, prompt_seconds=0.05)
    await sim.start()
    if prepare is not None:
        prepare(sim)
    clock = SystemClock()
    bus = EventBus()
    log = EventLog(bus)
    worker = StoreWorker(db)
    history = HistoryWriter(db, worker=worker)
    history.attach(bus)
    voice_port = {"voice_device": sim.voice_path} if sound else {}
    driver = ModemDriver(fast_settings(sim.path, **voice_port), bus, clock=clock)
    supervisor = ModemSupervisor(driver)
    board = Switchboard(worker, bus, clock, rules=customer_rules or NO_CUSTOMER_RULES)
    await board.load()
    for agent_id in (1, 2, 3):
        board.change_presence(agent_id, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                              source="test")
    tickets = TicketBook(db, bus, clock, worker=worker)
    board.use_tickets(tickets)
    board.attach()
    plan = ExchangePlan(
        groups={"tuki": group or quick_group()},
        numbers=dict(enumerate(AGENT_PHONES, start=1)) if numbers is None else numbers,
        rules=rules or FlowRules(),
        calendar=calendar or BusinessCalendar.twenty_four_seven(),
        missed_limit=missed_limit,
        **plan_options,
    )
    exchange = Exchange(
        plan, bus=bus, clock=clock, store=worker,
        tickets=tickets, directory=CustomerDirectory(db), board=board,
        voice=await prepared_voice(tmp_path) if sound else None,
    )
    knowledge = await worker.call(load_knowledge, driver.line)
    line = GsmLine(driver, prompts=prompts or {}, knowledge=knowledge)
    if sound:
        from appliance.media.media_engine import MediaEngine
        from appliance.media.port_health import HealthRules

        # a loaded test machine may pause the simulator's 20 ms ticks: a stall is 5 s here
        line.engine = MediaEngine(health=HealthRules(stall_seconds=5.0))
    exchange.add_line(line)
    bus.start()
    exchange.start()
    task = asyncio.get_running_loop().create_task(supervisor.run())
    await eventually(lambda: supervisor.state == "up", 5.0)
    running = RunningExchange(sim, driver, supervisor, exchange, line, bus, log, worker, board,
                              task)
    running.mark = len(sim.received)
    return running


async def prepared_voice(tmp_path: Path) -> CallVoice:
    """The announcements in both languages, spoken once into a cache shared by the tests."""
    from appliance.calls.call_voice import CallVoice
    from appliance.config.sections.call_speech import CallSpeechSettings

    voice = CallVoice(CallSpeechSettings(), prompts_dir=tmp_path / "prompts",
                      cache_dir=SPEECH_CACHE, attachments_dir=tmp_path / "attachments")
    await asyncio.to_thread(voice.prepare)
    return voice


async def stop_exchange(running: RunningExchange) -> None:
    await running.exchange.stop()
    await running.supervisor.stop()
    async with asyncio.timeout(5):
        await running.supervisor_task
    await running.sim.stop()
    await running.bus.stop()
    running.worker.close()


@dataclass
class ExtraLine:
    """A second modem serving the same exchange."""

    sim: SimulatedModem
    supervisor: ModemSupervisor
    task: asyncio.Task[None]
    line: GsmLine

    async def stop(self) -> None:
        await self.supervisor.stop()
        async with asyncio.timeout(5):
            await self.task
        await self.sim.stop()


async def add_line(running: RunningExchange, tmp_path: Path, name: str, *,
                   model: str = "generic", sound: bool = False) -> ExtraLine:
    """Another simulated modem, line `name`, whose calls the same exchange answers.

    `sound`: its voice port goes through the box too (a line a bridge can use).
    """
    sim = create_simulator(model, tmp_path, f"{name}-modem", ring_interval=None)
    await sim.start()
    voice_port = {"voice_device": sim.voice_path} if sound else {}
    driver = ModemDriver(fast_settings(sim.path, name=name, **voice_port), running.bus,
                         clock=running.exchange.clock)
    supervisor = ModemSupervisor(driver)
    line = GsmLine(driver)
    if sound:
        from appliance.media.media_engine import MediaEngine
        from appliance.media.port_health import HealthRules

        line.engine = MediaEngine(health=HealthRules(stall_seconds=5.0))
    running.exchange.add_line(line)
    task = asyncio.get_running_loop().create_task(supervisor.run())
    await eventually(lambda: supervisor.state == "up", 5.0)
    return ExtraLine(sim, supervisor, task, line)
