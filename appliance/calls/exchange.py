"""The exchange: line events in, the pure call flow decides, its commands run on the line.

Everything happens in one task that takes inputs (bus events, timers,
finished announcements) from an inbox one at a time, so the flows see a
consistent picture and a call's commands run in order. Announcements and
SMS run beside it, so one long prompt holds up no other call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from appliance.calls.call_ledger import CallLedger, LiveCall
from appliance.calls.call_records import find_caller
from appliance.calls.callbacks import Callbacks
from appliance.calls.exchange_plan import ExchangePlan
from appliance.calls.line_bridge import LineBridges
from appliance.calls.line_memory import save_knowledge
from appliance.calls.sms_outbox import SmsOutbox
from appliance.ports.call_sound import CallSound, SoundStopped
from appliance.ports.line import Line, groups_key, line_order
from appliance.ports.line_faults import LegRefused, LineFault
from appliance.ports.routing import RoutingPort
from appliance.queue import call_flow as flow_rules
from appliance.queue.call_commands import (
    AgentFree,
    AgentOnCall,
    AnnounceQueue,
    Answer,
    Command,
    CreateCallback,
    Deflect,
    DialAgent,
    DialAgents,
    Finished,
    HandOver,
    HangUp,
    HangUpAgent,
    HoldCaller,
    HoldMusic,
    Learn,
    PlayPrompt,
    Reject,
    ResumeCaller,
    RingAgents,
    SendSms,
    StopRinging,
    TakeVoicemail,
)
from appliance.queue.call_flow_state import CallFlow, FlowStep, Moment, Phase
from appliance.queue.call_setup import CallSetup, LineTraits
from appliance.queue.connect_methods import ConnectMethod
from appliance.queue.ring_group import RingGroup
from appliance.queue.ring_strategies import RingHistory
from appliance.queue.wait_estimate import agents_taking_calls, average_talk_s, expected_wait_s
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    CallAnswered,
    CallEnded,
    CallOffered,
    CallRinging,
    CallStateChanged,
    DtmfReceived,
    Event,
    LineLearned,
    PresenceChanged,
)
from appliance.store.customers import CustomerDirectory
from appliance.store.tickets import TicketBook
from appliance.store.work_items import call_item_id
from appliance.store.worker import StoreWorker

if TYPE_CHECKING:  # loads the media part (numpy): only where a line has call sound
    from appliance.calls.call_voice import CallVoice

log = logging.getLogger("aspa.calls.exchange")
TALK_SAMPLES = 20  # answered calls whose talk times the expected wait is estimated from

Input = Callable[[], Awaitable[None]]
LINE_FAULTS_OR_TIMEOUT: tuple[type[Exception], ...] = (LineFault, TimeoutError)
ROUTING_SOURCE = "routing"  # PresenceChanged events the exchange's own commands cause
_PLANNED_ENDS = ("transferred", "deflected", "rejected")  # the flow caused them and knows
# A leg's end that is its line's fault, not the agent's ("failed" is also a declined call)
_LINE_FAILED = ("interrupted",)


class Exchange:
    """Runs every incoming call of its lines through the call flow."""

    def __init__(
        self,
        plan: ExchangePlan,
        *,
        bus: EventBus,
        clock: Clock,
        store: StoreWorker,
        tickets: TicketBook,
        directory: CustomerDirectory,
        board: RoutingPort,
        lookups: StoreWorker | None = None,
        voice: CallVoice | None = None,
    ) -> None:
        self.plan = plan
        self.voice = voice  # announcements, music and voicemail on lines with call sound
        # Caller look-ups on a thread of their own do not queue behind history commits
        # (SQLite in WAL mode reads beside a writer); the caller is waiting meanwhile.
        self.lookups = lookups or store
        self.bus = bus
        self.clock = clock
        self.store = store
        self.tickets = tickets
        self.directory = directory
        self.board = board
        self.lines: dict[str, Line] = {}
        self.flows: dict[str, CallFlow] = {}
        self.history = RingHistory()
        self.groups = plan.line_groups()  # as a modem rings them: one leg, phone numbers
        self._line_groups: dict[tuple[bool, bool], dict[str, RingGroup]] = {}
        self._live: dict[str, LiveCall] = {}
        self._legs: dict[str, tuple[str, int]] = {}  # agent leg id -> (caller call id, agent)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._inbox: asyncio.Queue[Input] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._side_tasks: set[asyncio.Task[Any]] = set()
        self._sub: Subscription | None = None
        self._history_day = plan.calendar.local_day(clock.now())
        self.idle = asyncio.Event()  # set while the inbox is empty and nothing runs
        self.idle.set()
        self.callbacks = Callbacks(self)
        self.ledger = CallLedger(store, tickets, directory, bus, clock, plan.rules.language)
        self.outbox = SmsOutbox(store, tickets, bus, clock, self.lines.values,
                                plan.rules.language)
        self._talk_times: deque[float] = deque(maxlen=TALK_SAMPLES)  # for the expected wait
        self.bridges = LineBridges(self.lines.values, carries_sound=voice is not None)
        self._saying_place: dict[str, asyncio.Future[None]] = {}  # per call, while it is said

    # --- life cycle ------------------------------------------------------------------

    def add_line(self, line: Line) -> None:
        """Serve calls offered on this line."""
        self.lines[line.name] = line

    def use_plan(self, plan: ExchangePlan) -> None:
        """Route the next calls by a new plan (ring groups, hours, rules saved on the web page).

        Calls in hand keep the group they were offered to; the next call rings by the new one.
        """
        self.plan = plan
        self.groups = plan.line_groups()
        self._line_groups.clear()

    def start(self) -> None:
        """Subscribe to the bus and start the exchange's task."""
        self._sub = self.bus.subscribe(
            "exchange", self._on_event,
            (CallOffered, CallStateChanged, CallEnded, PresenceChanged, DtmfReceived),
        )
        self._task = asyncio.get_running_loop().create_task(self._work(), name="exchange")
        self.post(self.callbacks.restore)
        self.outbox.start()  # SMS still owed from before a restart go out now

    async def take_callback(self, agent_id: int, ticket_id: int) -> str:
        """`agent_id` takes callback ticket `ticket_id`; raises CallbackUnavailable with why."""
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def take() -> None:
            try:
                done.set_result(await self.callbacks.take(agent_id, ticket_id))
            except Exception as error:
                done.set_exception(error)

        self.post(take)
        return await done

    async def stop(self) -> None:
        """Stop taking inputs; live calls are left to the lines."""
        if self._sub is not None:
            self.bus.unsubscribe(self._sub)
            self._sub = None
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self.callbacks.stop()
        await self.outbox.stop()
        tasks = [t for t in (self._task, *self._side_tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None
        await self.bridges.close_all()
        for call_id, live in list(self._live.items()):
            await self._sound_off(call_id, live)  # the audio threads end, the ports close

    async def settle(self) -> None:
        """Wait until every input so far has been handled (for tests and shutdown)."""
        await self.bus.drain()
        await self._inbox.join()

    # --- inputs -----------------------------------------------------------------------

    def post(self, step: Input) -> None:
        """Queue an input for the exchange's task."""
        self.idle.clear()
        self._inbox.put_nowait(step)

    async def _work(self) -> None:
        while True:
            step = await self._inbox.get()
            try:
                await step()
            except Exception:
                log.exception("exchange: an input failed")
            finally:
                self._inbox.task_done()
                if self._inbox.empty():
                    self.idle.set()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, CallOffered):
            if event.line in self.lines:
                self.post(lambda: self._offered(event))
        elif isinstance(event, CallStateChanged):
            self.post(lambda: self._state_changed(event))
        elif isinstance(event, CallEnded):
            self.post(lambda: self._ended(event))
        elif isinstance(event, PresenceChanged) and event.source != ROUTING_SOURCE:
            self.post(self._agents_changed)
        elif isinstance(event, DtmfReceived):
            self.post(lambda: self._line_key(event))

    # --- handling ---------------------------------------------------------------------

    def moment(self) -> Moment:
        """The time, agents and ring history now."""
        now = self.clock.now()
        day = self.plan.calendar.local_day(now)
        if day != self._history_day:  # "fewest calls" counts calls of today
            self._history_day = day
            self.history = replace(self.history, calls_taken={})
        return Moment(now, self.board.agents(), self.history, self.bridges.free_lines())

    async def _offered(self, event: CallOffered) -> None:
        line = self.lines[event.line]
        if event.call_id in self.flows or not line.owns(event.call_id):
            return
        caller = await self.lookups.call(find_caller, self.directory, event.number)
        moment = self.moment()
        capabilities = line.capabilities
        groups = self.groups_for(line)
        group_name = self.plan.first_group
        group = groups.get(group_name) if group_name else None
        sound = capabilities.has_audio and self.voice is not None
        # with the call's sound through the box every announcement can be said; without,
        # those with a file on the modem
        configured = self.plan.rules.prompts
        prompts = configured if sound else configured & frozenset(line.prompts)
        rules = replace(self.plan.rules, prompts=prompts)
        order = line_order(capabilities)
        traits = LineTraits(
            line.name, plays_prompts=sound or capabilities.plays_prompts,
            records_voicemail=sound, has_audio=sound, connect=line.knowledge.best_of(order),
            rings_parallel=capabilities.rings_parallel, order=order,
        )
        setup = CallSetup(
            call_id=event.call_id,
            caller=caller,
            line=traits,
            group=group,
            numbers=self.plan.reach(dials_sip=capabilities.dials_sip),
            overflow_groups=groups,
            rules=rules,
            open_now=self.plan.calendar.is_open(moment.now),
            line_busy=line.is_busy_besides(event.call_id),
        )
        live = self._live[event.call_id] = LiveCall(line, caller, event.number_status)
        await self._run(flow_rules.start_call(setup, moment))
        await self.ledger.ensure_customer(live)  # a first-time caller, now the agent is rung

    def groups_for(self, line: Line) -> dict[str, RingGroup]:
        """The ring groups as `line` rings them (parallel or not; SIP members or not)."""
        key = groups_key(line.capabilities)
        groups = self._line_groups.get(key)
        if groups is None:
            rings_parallel, dials_sip = key
            groups = self.plan.line_groups(rings_parallel=rings_parallel, dials_sip=dials_sip)
            self._line_groups[key] = groups
        return groups

    async def _state_changed(self, event: CallStateChanged) -> None:
        if self.callbacks.owns(event.call_id):
            await self.callbacks.state_changed(event)
            return
        found = self._legs.get(event.call_id)
        if found is not None and event.state == "active":
            caller_id, agent = found
            await self._apply(caller_id, flow_rules.on_agent_answered, agent)
        elif event.call_id in self.flows and event.state == "incoming":
            await self._apply(event.call_id, flow_rules.on_line_free)

    async def _ended(self, event: CallEnded) -> None:
        if self.callbacks.owns(event.call_id):
            await self.callbacks.ended(event)
            return
        found = self._legs.pop(event.call_id, None)
        if found is not None:
            caller_id, agent = found
            live = self._live.get(caller_id)
            flow = self.flows.get(caller_id)
            if self.bridges.holds(caller_id, event.call_id):
                await self._end_bridge(caller_id)  # the sounds part; the other line is free
                if live is not None and flow is not None and event.outcome in _LINE_FAILED:
                    live.legs.pop(agent, None)
                    await self._apply(caller_id, flow_rules.on_bridge_failed)
                    return
            if live is None or flow is None or event.outcome in (*_PLANNED_ENDS, "interrupted"):
                return
            live.legs.pop(agent, None)
            if flow.phase is Phase.CONFERENCE:
                await self._apply(caller_id, flow_rules.on_agent_hung_up)
            else:
                missed = event.outcome == "no_answer"
                await self._apply(caller_id, flow_rules.on_agent_failed, agent, missed=missed)
            return
        if event.call_id not in self.flows or event.outcome in _PLANNED_ENDS:
            return
        if event.outcome == "interrupted":
            await self._apply(event.call_id, flow_rules.on_line_lost)
        else:
            await self._apply(event.call_id, flow_rules.on_caller_hung_up)

    async def _agents_changed(self) -> None:
        for call_id, flow in list(self.flows.items()):
            if flow.phase is Phase.QUEUED:
                await self._apply(call_id, flow_rules.on_agents_changed)

    async def _timer(self, call_id: str) -> None:
        self._timers.pop(call_id, None)
        await self._apply(call_id, flow_rules.on_timer)

    async def _prompt_done(self, call_id: str) -> None:
        await self._apply(call_id, flow_rules.on_prompt_done)

    async def _apply(
        self, call_id: str, handler: Callable[..., FlowStep], *args: Any, **kwargs: Any
    ) -> None:
        flow = self.flows.get(call_id)
        if flow is None:
            return
        await self._run(handler(flow, *args, self.moment(), **kwargs))

    async def _run(self, step: FlowStep) -> None:
        """Take the flow's new state, claim the agents it rings, then run its commands in order.

        The claim is made before any command waits on the line, in the same moment as
        the decision: an agent who turns busy a moment later is already ringing, and
        one who turned busy a moment earlier was never chosen. Should the switchboard
        still refuse someone, their leg is not dialled and the flow hears they failed.
        """
        flow = step.flow
        self.history = step.history
        call_id = flow.call_id
        self.flows[call_id] = flow
        refused: set[int] = set()
        for ring in step.commands:
            if isinstance(ring, RingAgents):
                claimed = self.board.claim_ringing(call_id, ring.agent_ids)
                refused.update(a for a in ring.agent_ids if a not in claimed)
        follow_ups: list[Input] = [
            lambda a=agent: self._apply(call_id, flow_rules.on_agent_failed, a, missed=False)  # type: ignore[misc]
            for agent in sorted(refused)]
        for planned in step.commands:
            kept = _without(planned, refused)
            if kept is None:
                continue
            follow_up = await self._execute(call_id, kept)
            if follow_up is not None:
                follow_ups.append(follow_up)
        current = self.flows.get(call_id)
        if current is not None:
            self._schedule(current)
            if current.is_over and not follow_ups:
                self._forget(call_id)
        for follow_up in follow_ups:
            await follow_up()

    def _schedule(self, flow: CallFlow) -> None:
        old = self._timers.pop(flow.call_id, None)
        if old is not None:
            old.cancel()
        wake = flow.next_wake
        if wake is None or flow.is_over:
            return
        delay = max((wake - self.clock.now()).total_seconds(), 0.0)
        call_id = flow.call_id
        self._timers[call_id] = asyncio.get_running_loop().call_later(
            delay, lambda: self.post(lambda: self._timer(call_id)))

    def _forget(self, call_id: str) -> None:
        self.flows.pop(call_id, None)
        live = self._live.pop(call_id, None)
        self._saying_place.pop(call_id, None)
        if live is not None and live.sound is not None:
            self._beside(self._sound_off(call_id, live))
        if live is not None:
            for leg in live.legs.values():
                self._legs.pop(leg, None)
        timer = self._timers.pop(call_id, None)
        if timer is not None:
            timer.cancel()
        if self.bridges.line_of(call_id) is not None:
            self._beside(self._end_bridge(call_id))
        if live is not None:
            self._wake_waiting(live.line)

    def _wake_waiting(self, line: Line) -> None:
        """A call on `line` is over: a caller left waiting there may now be served.

        The network alerts a waiting call afresh once the other call is gone
        (TS 22.083 §1.2), but not every modem reports that; so look, not wait.
        """
        for call_id, flow in self.flows.items():
            live = self._live.get(call_id)
            if (
                flow.phase is Phase.WAITING_FOR_LINE
                and live is not None
                and live.line is line
                and not line.is_busy_besides(call_id)
            ):
                self.post(lambda c=call_id: self._apply(c, flow_rules.on_line_free))  # type: ignore[misc]
                return

    # --- commands -----------------------------------------------------------------------

    async def _execute(self, call_id: str, command: Command) -> Input | None:
        live = self._live[call_id]
        line = live.line
        try:
            return await self._line_command(call_id, live, line, command)
        except LineFault as error:
            # The line event that follows (call ended, line lost) tells the flow what happened.
            log.warning("%s: %s for call %s failed: %s", line.name, type(command).__name__,
                        call_id, error)
            return None
        except Exception:
            # One failed step (say, the store refusing a write) must not skip the rest:
            # the caller's SMS and the call's record still follow.
            log.exception("%s: %s for call %s failed", line.name, command, call_id)
            return None

    async def _line_command(
        self, call_id: str, live: LiveCall, line: Line, command: Command
    ) -> Input | None:
        if isinstance(command, RingAgents):
            self._announce(call_id, command)  # claimed in _run, before the line commands
        elif isinstance(command, StopRinging | AgentOnCall | AgentFree):
            self.apply_presence(call_id, command)
            self._announce(call_id, command)
        elif isinstance(command, Answer):
            await line.answer(call_id)
            await self._sound_on(call_id, live)
        elif isinstance(command, HoldCaller):
            if line.capabilities.hold_keeps_sound:
                self._hold_music(live, True)  # the agent is rung on another call of the line
            else:
                await self._sound_off(call_id, live)  # the voice port carries the agent leg
            await line.hold(call_id)
        elif isinstance(command, ResumeCaller):
            await line.resume(call_id)
            await self._sound_on(call_id, live)
        elif isinstance(command, AnnounceQueue):
            self._announce_place(call_id, live)
        elif isinstance(command, HoldMusic):
            self._hold_music(live, command.on)
        elif isinstance(command, DialAgent):
            return await self._dial(call_id, live, line, command)
        elif isinstance(command, DialAgents):
            await self._ring_parallel(call_id, live, line, command)
        elif isinstance(command, HangUpAgent):
            leg = live.legs.pop(command.agent_id, None)
            if leg is not None:
                self._legs.pop(leg, None)
                if self.bridges.holds(call_id, leg):
                    await self._end_bridge(call_id)
                else:
                    await line.hang_up_leg(leg)
        elif isinstance(command, HandOver):
            agent_leg = live.legs.get(command.agent_id)
            if command.method is ConnectMethod.BRIDGE:
                ok = agent_leg is not None and await self.bridges.join(
                    call_id, live.sound, lambda: self.post(
                        lambda: self._apply(call_id, flow_rules.on_bridge_failed)))
            else:
                await self._sound_off(call_id, live)  # still open where the hold kept it
                ok = agent_leg is not None and await line.hand_over(
                    command.method, call_id, agent_leg)
            return lambda: self._apply(call_id, flow_rules.on_hand_over_result, ok)
        elif isinstance(command, Deflect):
            # beside the exchange's task: a REFER's outcome (RFC 3515 §2.4.5 NOTIFY) may take
            # seconds, and the other callers on the trunk must not wait for it
            self._beside(self._deflect(call_id, line, command))
        elif isinstance(command, HangUp):
            bridged = await self._end_bridge(call_id)  # the agent's leg on another line
            await self._sound_off(call_id, live)
            legs = [leg for leg in live.legs.values() if leg != bridged]
            live.legs.clear()
            for leg in legs:
                self._legs.pop(leg, None)
            for extra in legs[1:]:
                await line.hang_up_leg(extra)
            await line.hang_up(call_id, legs[0] if legs else None)
        elif isinstance(command, Reject):
            await self._sound_off(call_id, live)
            await line.reject(call_id)
        elif isinstance(command, PlayPrompt):
            self._beside(self._play(call_id, line, command))
        elif isinstance(command, TakeVoicemail):
            self._beside(self._take_message(call_id, live))
        elif isinstance(command, SendSms):
            # stored before anything else happens: owed across a line's outage and a restart
            await self.outbox.promise(command.number, command.text, live.ticket_id, line.name)
        elif isinstance(command, CreateCallback):
            await self.ledger.create_callback(call_id, live, command)
        elif isinstance(command, Learn):
            await self.learn(line, command)
        elif isinstance(command, Finished):
            if command.record.talk_s > 0:
                self._talk_times.append(command.record.talk_s)
            await self.ledger.finish(call_id, live, command)
        return None

    def apply_presence(self, call_id: str, command: Command) -> None:
        """Have the switchboard apply a presence command (events included)."""
        self.board.apply_call_command(call_id, command, self.plan.missed_limit)

    def _announce(self, call_id: str, command: Command) -> None:
        if isinstance(command, RingAgents):
            self.bus.publish(CallRinging(at=self.clock.now(), call_id=call_id,
                                         agent_ids=command.agent_ids))
        elif isinstance(command, AgentOnCall):
            flow = self.flows[call_id]
            wait = (self.clock.now() - flow.arrived_at).total_seconds()
            self.bus.publish(CallAnswered(
                at=self.clock.now(), call_id=call_id, wait_seconds=wait,
                agent_id=command.agent_id, customer_id=self._live[call_id].caller.customer_id))

    async def _dial(
        self, call_id: str, live: LiveCall, line: Line, command: DialAgent
    ) -> Input | None:
        async def bridge_failed() -> None:
            await self._apply(call_id, flow_rules.on_bridge_failed)

        if command.via is not None:  # a bridge: the agent is dialled on another line
            other = self.bridges.take(call_id, command.via)
            if other is None:
                log.info("%s: line %s cannot carry the agent's leg now", line.name, command.via)
                return bridge_failed
            line = other
        try:
            leg = await line.dial(command.number)
        except LegRefused as error:  # a modem that waits for the answer gave BUSY / NO ANSWER
            self.bridges.forget(call_id)
            missed = error.result == "NO ANSWER"
            return lambda: self._apply(
                call_id, flow_rules.on_agent_failed, command.agent_id, missed=missed)
        except LineFault as error:
            if command.via is None:
                raise
            log.warning("%s: dialling the agent failed: %s", line.name, error)
            self.bridges.forget(call_id)
            return bridge_failed
        if command.via is not None:
            self.bridges.dialled(call_id, leg)
        live.legs[command.agent_id] = leg
        self._legs[leg] = (call_id, command.agent_id)
        return None

    async def _end_bridge(self, call_id: str) -> str | None:
        """Part the sounds and hang up the agent's leg on the other line; its id, if any."""
        other = self.bridges.line_of(call_id)
        leg = await self.bridges.end(call_id)
        if other is not None:
            self._wake_waiting(other)
        return leg

    async def _ring_parallel(
        self, call_id: str, live: LiveCall, line: Line, command: DialAgents
    ) -> None:
        """Ring all: one INVITE per phone at once; a leg that fails ends with its own event."""
        legs = await line.ring_parallel([dial.number for dial in command.dials])
        for dial, leg in zip(command.dials, legs, strict=True):
            live.legs[dial.agent_id] = leg
            self._legs[leg] = (call_id, dial.agent_id)

    async def _deflect(self, call_id: str, line: Line, command: Deflect) -> None:
        try:
            ok = await line.deflect(call_id, command.number)
        except LineFault as error:
            log.warning("%s: sending call %s on failed: %s", line.name, call_id, error)
            ok = False
        # a far end that refuses a REFER may take the caller with it (baresip 1.0 does)
        kept = ok or line.owns(call_id)
        self.post(lambda: self._deflected(call_id, line, ok, kept))

    async def _deflected(self, call_id: str, line: Line, ok: bool, kept: bool) -> None:
        if call_id in self.flows:
            await self._apply(call_id, flow_rules.on_hand_over_result, ok, caller_kept=kept)
        elif not ok:  # the call's end was handled first; what the line showed still counts
            await self.learn(line, Learn(ConnectMethod.DEFLECT, False))

    def _beside(self, work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _play(self, call_id: str, line: Line, command: PlayPrompt) -> None:
        live = self._live.get(call_id)
        sound = live.sound if live is not None else None
        try:
            if sound is not None and self.voice is not None and live is not None:
                language = self.voice.language(live.caller.language, self.plan.rules.language)
                await sound.play(self.voice.prompt(command.prompt, language), command.prompt)
            else:
                await line.play(call_id, command.prompt)
        except asyncio.CancelledError:
            return  # the caller pressed a key: what they chose is already under way
        except SoundStopped:
            return  # the sound is gone: the flow hears of it from the watcher
        except LINE_FAULTS_OR_TIMEOUT as error:
            log.warning("%s: announcement %s failed: %s", line.name, command.prompt, error)
        self.post(lambda: self._prompt_done(call_id))

    # --- the call's sound -------------------------------------------------------------------

    async def _sound_on(self, call_id: str, live: LiveCall) -> None:
        """Open the call's sound through the box (lines that have it) and watch it."""
        if self.voice is None or not live.line.capabilities.has_audio or live.sound is not None:
            return
        try:
            sound = await live.line.open_audio(call_id)
        except LineFault as error:
            log.warning("%s: no call sound for %s: %s", live.line.name, call_id, error)
            self.post(lambda: self._apply(call_id, flow_rules.on_audio_lost))
            return
        if sound is None:
            return
        live.sound = sound
        self._beside(self._watch_sound(call_id, live, sound))

    async def _sound_off(self, call_id: str, live: LiveCall) -> None:
        """Give the call's sound back to the line (it is held, or over)."""
        sound, live.sound = live.sound, None
        if sound is None:
            return
        try:
            await live.line.close_audio(call_id)
        except LineFault as error:
            log.info("%s: closing the sound of %s: %s", live.line.name, call_id, error)

    async def _watch_sound(self, call_id: str, live: LiveCall, sound: CallSound) -> None:
        """Keys the caller presses, and the end of the sound if the voice port fails."""
        keys = asyncio.ensure_future(_next_key(sound))
        failed = asyncio.ensure_future(sound.failed.wait())
        try:
            while live.sound is sound:
                done, _ = await asyncio.wait({keys, failed}, return_when=asyncio.FIRST_COMPLETED)
                if live.sound is not sound:
                    return  # closed on purpose (a hold, the end)
                if failed in done:
                    log.warning("%s: the sound of %s failed: %s", live.line.name, call_id,
                                sound.failure)
                    self.post(lambda: self._apply(call_id, flow_rules.on_audio_lost))
                    return
                digit = keys.result()
                keys = asyncio.ensure_future(_next_key(sound))
                self.post(lambda d=digit: self._key(call_id, d))  # type: ignore[misc]
        finally:
            keys.cancel()
            failed.cancel()

    async def _line_key(self, event: DtmfReceived) -> None:
        """A key the modem reported (AT+DDET, AT+QTONEDET); the call it belongs to."""
        call_id = event.call_id
        if call_id is None or call_id not in self.flows:
            call_id = next((c for c, live in self._live.items()
                            if live.line.name == event.line and live.sound is not None), None)
        if call_id is not None:
            await self._key(call_id, event.digit)

    async def _key(self, call_id: str, digit: str) -> None:
        flow = self.flows.get(call_id)
        live = self._live.get(call_id)
        if flow is None or live is None:
            return
        step = flow_rules.on_key(flow, digit, self.moment())
        if step.commands and live.sound is not None:
            live.sound.cancel_announcements()  # they chose: stop the menu, say what happens
        await self._run(step)

    def _announce_place(self, call_id: str, live: LiveCall) -> None:
        """'You are number N in the queue', and the expected wait when there is an estimate."""
        sound, voice = live.sound, self.voice
        if sound is None or voice is None:
            return
        position = self.board.position(call_item_id(call_id))
        if position is None:
            return
        now = self.clock.now()
        taking = agents_taking_calls(self.board.agents(), now)
        talk = average_talk_s(self._talk_times, self.plan.rules.assumed_talk_s)
        language = voice.language(live.caller.language, self.plan.rules.language)
        sentence = voice.place_and_wait(language, position,
                                        expected_wait_s(position, taking, talk))
        saying = self._saying_place.get(call_id)
        if saying is not None and not saying.done():
            return  # the last one is still being said: the next turn says the news
        with contextlib.suppress(SoundStopped):
            self._saying_place[call_id] = sound.announce(sentence, f"place-{call_id}")

    def _hold_music(self, live: LiveCall, on: bool) -> None:
        sound, voice = live.sound, self.voice
        if sound is None or voice is None:
            return
        with contextlib.suppress(SoundStopped):
            if on:
                sound.start_music(voice.music)
            else:
                sound.stop_music()

    async def _take_message(self, call_id: str, live: LiveCall) -> None:
        """Record the caller's message and file it; nothing heard or a failure: a callback."""
        sound, voice = live.sound, self.voice
        reason = ""
        if sound is None or voice is None:
            reason = "audio_lost"
        else:
            try:
                recording = await voice.take_message(sound)
                if recording.spoke:
                    saved = await asyncio.to_thread(voice.save_message, recording, call_id)
                    await self.ledger.file_voicemail(call_id, live, saved)
                else:
                    reason = "silent_message"
            except (SoundStopped, OSError, RuntimeError) as error:
                log.warning("%s: the message of %s was not kept: %s", live.line.name, call_id,
                            error)
                reason = "audio_lost"
        if reason:  # nothing is lost: the caller is owed a callback
            await self.ledger.create_callback(call_id, live, CreateCallback(reason))
        self.post(lambda: self._apply(call_id, flow_rules.on_voicemail_done))

    async def learn(self, line: Line, command: Learn) -> None:
        """Remember on the line, in the store and on the bus what a hand-over attempt showed."""
        before = line.knowledge
        line.learn(command.method, command.ok)
        if line.knowledge == before:
            return  # nothing new: no store write, no event per call
        await self.store.call(save_knowledge, line.name, line.knowledge)
        self.bus.publish(LineLearned(at=self.clock.now(), line=line.name,
                                     method=command.method.value, works=command.ok))


def _without(command: Command, refused: set[int]) -> Command | None:
    """The command without the agents the switchboard refused to ring; None if none is left."""
    if not refused:
        return command
    if isinstance(command, DialAgent):
        return None if command.agent_id in refused else command
    if isinstance(command, DialAgents):
        dials = tuple(d for d in command.dials if d.agent_id not in refused)
        if not dials:
            return None
        return dials[0] if len(dials) == 1 else DialAgents(dials)
    if isinstance(command, RingAgents):
        kept = tuple(a for a in command.agent_ids if a not in refused)
        return RingAgents(kept) if kept else None
    return command


async def _next_key(sound: CallSound) -> str:
    return await sound.keys.get()
