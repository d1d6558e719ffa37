"""The exchange as one of the daemon's adapters: built from aspa.toml, the store and the lines.

The wiring hands it the lines (GSM modems and the VoIP trunk alike, through
appliance.ports.line), the switchboard's routing port and the ticket book; the
exchange then answers every call offered on them, all in one queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import peewee as pw

from appliance.calls.exchange import Exchange
from appliance.calls.exchange_config import exchange_plan
from appliance.calls.exchange_plan import ExchangePlan
from appliance.calls.line_memory import load_knowledge
from appliance.calls.modem_prompts import ON_THE_MODEM, ModemPrompts
from appliance.ports.adapter import AdapterHealth
from appliance.ports.line import Line, line_order
from appliance.ports.routing import RoutingPort
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Agent
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config

log = logging.getLogger("aspa.calls")


def _agent_numbers() -> dict[str, tuple[int, str | None]]:
    """login -> (id, phone) of every active agent. Blocking."""
    rows = Agent.select(Agent.login, Agent.id, Agent.phone).where(Agent.active == True)  # noqa: E712
    found: dict[str, tuple[int, str | None]] = {}
    for agent in rows:
        found[str(agent.login)] = (int(agent.id), agent.phone or None)
    return found


def _agent_sip_uris() -> dict[int, str]:
    """id -> SIP URI of every active agent with a desk or soft phone. Blocking."""
    rows = Agent.select(Agent.id, Agent.sip_uri).where(
        (Agent.active == True) & Agent.sip_uri.is_null(False))  # noqa: E712
    return {int(agent.id): str(agent.sip_uri) for agent in rows if agent.sip_uri}


class ExchangeAdapter:
    """Starts and stops the exchange beside the lines it serves."""

    def __init__(
        self,
        config: Config,
        *,
        db: pw.Database,
        store: StoreWorker,
        bus: EventBus,
        clock: Clock,
        board: RoutingPort,
        tickets: TicketBook,
        lines: Callable[[], Sequence[Line]],
    ) -> None:
        self.config = config
        self.db = db
        self.store = store
        self.bus = bus
        self.clock = clock
        self.board = board
        self.tickets = tickets
        self.lines = lines
        self.exchange: Exchange | None = None
        self._lookups: StoreWorker | None = None
        self._voice_task: asyncio.Task[None] | None = None
        self._prompts_task: asyncio.Task[None] | None = None
        self.modem_prompts: ModemPrompts | None = None
        self.voice_problem = ""

    @property
    def name(self) -> str:
        return "calls"

    async def _plan(self) -> ExchangePlan:
        plan = exchange_plan(self.config, await self.store.call(_agent_numbers))
        return replace(plan, sip_uris=await self.store.call(_agent_sip_uris))

    async def use_config(self, config: Config) -> None:
        """Ring groups, hours and call rules saved on the web page: the next call follows them.

        Nothing stops: calls in hand go on as they began. The callers' language puts the
        modems' own announcements in it again.
        """
        self.config = config
        if self.exchange is None:
            return
        plan = await self._plan()
        self.exchange.use_plan(plan)
        if self.exchange.voice is not None:
            self.exchange.voice.use_voicemail_max(float(config.calls.voicemail_max_seconds))
        prompts = self.modem_prompts
        if prompts is not None and prompts.language != plan.rules.language:
            prompts.language = plan.rules.language
            for prompt in ON_THE_MODEM:
                prompts.refresh(list(self.exchange.lines.values()), prompt)
        log.info("exchange: new plan, ring groups %s",
                 ", ".join(plan.groups) or "(none: every call becomes a callback)")

    async def start(self) -> None:
        """Read the agents, build the plan, attach the lines and start taking calls."""
        plan = await self._plan()
        self._lookups = StoreWorker(self.db, name="caller-lookups")
        exchange = Exchange(
            plan, bus=self.bus, clock=self.clock, store=self.store,
            tickets=self.tickets, directory=CustomerDirectory(self.db, clock=self.clock),
            board=self.board, lookups=self._lookups,
        )
        for line in self.lines():
            line.restore(await self.store.call(load_knowledge, line.name))
            exchange.add_line(line)
        exchange.start()
        self.exchange = exchange
        if self._wants_voice():
            self._voice_task = asyncio.create_task(self._prepare_voice(exchange),
                                                   name="call-voice")
        self.modem_prompts = ModemPrompts(self.config.calls.speech, plan.rules.language,
                                          self.config.data_path / "speech",
                                          prompts_dir=self.config.data_path / "prompts")
        self._prompts_task = asyncio.create_task(
            self.modem_prompts.keep(list(exchange.lines.values())), name="modem-prompts")
        log.info("exchange: %d lines, ring groups %s", len(exchange.lines),
                 ", ".join(plan.groups) or "(none: every call becomes a callback)")

    def _wants_voice(self) -> bool:
        """True when some line's calls' sound comes here (a modem's voice port, VoIP's "box")."""
        gsm, voip = self.config.gsm, self.config.voip
        if voip.enabled and voip.call_sound == "box":
            return True
        return gsm.enabled and any(modem.voice_device for modem in gsm.modems)

    async def _prepare_voice(self, exchange: Exchange) -> None:
        """Render the announcements in the background; until then calls go without sound."""
        from appliance.calls.call_voice import CallVoice
        from appliance.media.speech_cache import SpeechError
        from appliance.store.attachment_folder import attachments_dir

        data = self.config.data_path
        calls = self.config.calls
        voice = CallVoice(calls.speech, prompts_dir=data / "prompts", cache_dir=data / "speech",
                          attachments_dir=attachments_dir(data),
                          voicemail_max_s=float(calls.voicemail_max_seconds))
        try:
            await asyncio.to_thread(voice.prepare)
        except (SpeechError, OSError) as error:
            self.voice_problem = f"announcements not ready: {error}"
            log.error("exchange: %s; calls go on without the box's sound", self.voice_problem)
            return
        self.voice_problem = ""
        exchange.voice = voice
        log.info("exchange: announcements ready in Finnish and English")

    async def announcement_changed(self, prompt: str, language: str) -> None:
        """The office recorded (or removed) an announcement: callers hear the new one next."""
        exchange = self.exchange
        if exchange is None:
            return
        if exchange.voice is not None:
            await asyncio.to_thread(exchange.voice.refresh, prompt, language)
        spoken = {p.value: p for p in ON_THE_MODEM}
        if (self.modem_prompts is not None and prompt in spoken
                and language == self.modem_prompts.language):
            self.modem_prompts.refresh(list(exchange.lines.values()), spoken[prompt])
        log.info("exchange: announcement %s (%s) changed", prompt, language or "all")

    async def stop(self) -> None:
        """Stop taking calls; calls under way are left to the lines."""
        for task in (self._voice_task, self._prompts_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._voice_task = self._prompts_task = None
        if self.modem_prompts is not None:
            await self.modem_prompts.stop()
        if self.exchange is not None:
            await self.exchange.stop()
            self.exchange = None
        if self._lookups is not None:
            self._lookups.close()
            self._lookups = None

    def health(self) -> AdapterHealth:
        """How many calls are in hand and what each line has learned."""
        exchange = self.exchange
        if exchange is None:
            return AdapterHealth(False, "not running")
        methods = ", ".join(f"{name}: {line.knowledge.best_of(line_order(line.capabilities))}"
                            for name, line in exchange.lines.items())
        detail = f"{len(exchange.flows)} calls in hand; {methods or 'no lines'}"
        if self.voice_problem:
            return AdapterHealth(False, f"{detail}; {self.voice_problem}")
        return AdapterHealth(True, detail)
