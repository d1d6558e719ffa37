"""The switchboard: the one owner of agents' presence and the work queue.

Every change to who is available and to what work is open is made here, by the
core's rules (appliance.presence, appliance.queue), and told on the bus. A desk
button, a click on the page and a routing decision all come through these
methods on the one asyncio loop; each method reads and writes without waiting
in between, so each sees exactly the state the one before it left, and they
can never disagree. Everything else reads snapshots through the ports.

Tickets are filed here by the ticket book right after each of its commits (the
`Filer`), and from the bus for the writes of other threads and processes (the
mail intake, the command line through the change feed), read back in batches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from appliance.ports.work_refusal import NothingToTake, WorkRefused
from appliance.presence.channel import Channel
from appliance.presence.offer_rules import may_ring, refusal
from appliance.presence.states import AgentState, Presence
from appliance.queue.agent import QueueAgent
from appliance.queue.call_commands import Command, RingAgents
from appliance.queue.customer_routing import (
    CustomerRules,
    ManagerRule,
    as_offered,
    offer_ends,
    route_new_work,
)
from appliance.queue.escalation import (
    POOL,
    EscalationRules,
    SlaAlert,
    SlaStage,
    breach_actions,
    sla_alerts,
)
from appliance.queue.presence_commands import apply_presence
from appliance.queue.work_item import WorkItem
from appliance.queue.work_queue import WorkQueue
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    AgentPaused,
    AgentRosterChanged,
    CallAnswered,
    CallEnded,
    CallOffered,
    CustomerChanged,
    CustomerErased,
    CustomersMerged,
    Event,
    MessageAdded,
    PresenceChanged,
    SlaBreached,
    SlaWarning,
    TicketAssigned,
    TicketCreated,
    TicketCustomerChanged,
    TicketMerged,
    TicketPriorityChanged,
    TicketStatusChanged,
)
from appliance.store.notice_log import claim_alerts, owed_alerts
from appliance.store.tickets import TicketBook
from appliance.store.work_items import (
    call_item_id,
    load_open_tickets,
    read_open_items,
    ticket_id_of,
    ticket_item_id,
)
from appliance.store.worker import StoreWorker
from appliance.switchboard.roster import Roster, read_roster
from appliance.tickets.status import TicketStatus

log = logging.getLogger("aspa.switchboard")

ROUTING_SOURCE = "routing"
# Ticket events whose ticket is read back from the store and filed again.
TICKET_EVENTS: tuple[type[Event], ...] = (
    TicketCreated, TicketStatusChanged, TicketAssigned, TicketPriorityChanged, TicketMerged,
    TicketCustomerChanged, MessageAdded,
)
CUSTOMER_EVENTS: tuple[type[Event], ...] = (CustomerChanged, CustomersMerged, CustomerErased)
WATCHED_EVENTS: tuple[type[Event], ...] = (
    *TICKET_EVENTS, *CUSTOMER_EVENTS, CallOffered, CallAnswered, CallEnded, AgentRosterChanged,
)
READ_BATCH = 500  # tickets read back in one query
ALERT_BATCH = 200  # SLA alerts claimed in the notice log and told at a time
# Without configured rules the queue does not look at the customer (tests, tools).
NO_CUSTOMER_RULES = CustomerRules(vip_priority=None, manager_rule=ManagerRule.OFF)
_AWAY = (Presence.AWAY, Presence.OFFLINE)

AgentTransition = Callable[[AgentState, datetime], AgentState]


class Switchboard:
    """Agents' presence and the open work; the only writer of either."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: Clock, *,
                 rules: CustomerRules = NO_CUSTOMER_RULES,
                 escalation: EscalationRules | None = None) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._agents: dict[int, AgentState] = {}
        self._roster = Roster()
        self._queue = WorkQueue()
        # Local writes are numbered: a store read that started before one must not undo it.
        self._writes = 0
        self._written_at: dict[str, int] = {}
        self._stale: set[int] = set()
        self._sub: Subscription | None = None
        self._tickets: TicketBook | None = None
        self._rules = rules
        self._escalation = escalation or EscalationRules()
        self._offers: dict[str, int] = {}  # items held for their account manager: item -> agent
        self._new: set[int] = set()  # tickets just created, to route by customer once filed
        # SLA alerts told, by item: (stage, due time); the notice log keeps them too
        self._alerted: dict[str, tuple[SlaStage, datetime]] = {}

    def use_tickets(self, tickets: TicketBook) -> None:
        """The ticket book that files through this switchboard (take_next writes through it)."""
        self._tickets = tickets
        tickets.filer = self.file

    # --- life cycle --------------------------------------------------------------------

    async def load(self) -> None:
        """Read the open tickets and the agents (everyone offline until they say otherwise)."""
        self._queue = await self._store.call(load_open_tickets)
        self._roster = await self._store.call(read_roster)
        self._agents = {i: AgentState(agent_id=i) for i in self._roster.logins}
        log.info("work queue loaded: %d open items, %d agents", len(self._queue),
                 len(self._agents))

    def attach(self) -> None:
        """Follow the bus for the changes other threads and processes make."""
        if self._sub is None:
            self._sub = self._bus.subscribe("switchboard", self._on_event, WATCHED_EVENTS)

    async def caught_up(self, through: int | None = None) -> None:
        """Wait until everything published so far (or up to the bus's event `through`) is filed.

        With `through`, later events may still be queued: in a burst the queue is seldom
        empty, and a page waiting for that waited up to its whole timeout for each event.
        """
        if self._sub is None:
            return
        if through is None:
            await self._sub.queue.join()
        else:
            await self._sub.reached(through)

    def detach(self) -> None:
        """Stop following the bus."""
        if self._sub is not None:
            self._bus.unsubscribe(self._sub)
            self._sub = None

    # --- reading: snapshots --------------------------------------------------------------

    def agent(self, agent_id: int) -> AgentState | None:
        """One agent's state now, None for an agent the box does not know (or not active)."""
        return self._agents.get(agent_id)

    def agents(self) -> dict[int, AgentState]:
        """A copy of every agent's state."""
        return dict(self._agents)

    def agent_id(self, login: str) -> int | None:
        """The id of the active agent with this login."""
        return self._roster.agent_id(login)

    def teams_of(self, agent_id: int) -> frozenset[int]:
        """The teams whose unassigned work the agent may take."""
        return self._roster.teams.get(agent_id, frozenset())

    def items(self, limit: int | None = None,
              where: Callable[[WorkItem], bool] | None = None) -> list[WorkItem]:
        """The open work in queue order (the first `limit` that pass `where`), a list of its own."""
        found: list[WorkItem] = []
        for item in self._queue:
            if limit is not None and len(found) >= limit:
                break
            if where is None or where(item):
                found.append(item)
        return found

    def item(self, item_id: str) -> WorkItem | None:
        """One open item, None when it is not open work."""
        return self._queue.get(item_id) if item_id in self._queue else None

    def waiting_calls(self) -> list[WorkItem]:
        """The callers waiting on a line, longest waiting first."""
        calls: list[WorkItem] = []
        for item in self._queue:  # live calls come first in queue order
            if item.kind is not Channel.CALL:
                break
            calls.append(item)
        return calls

    @property
    def open_count(self) -> int:
        """How many work items are open."""
        return len(self._queue)

    def position(self, item_id: str) -> int | None:
        """1-based place in the queue ("you are number 3"), None when not queued."""
        return self._queue.position(item_id) + 1 if item_id in self._queue else None

    def next_for(self, agent_id: int, *, live_calls: bool = True) -> WorkItem | None:
        """The item the core's rules would hand this agent now, or None."""
        state = self._agents.get(agent_id)
        if state is None:
            return None
        agent = QueueAgent(state, self.teams_of(agent_id))
        return self._queue.next_for(agent, self._clock.now(), live_calls=live_calls)

    def breached(self, now: datetime) -> bool:
        """True when some open item is past its SLA due time."""
        for item in self._queue:
            if item.kind is Channel.CALL:
                continue
            # after the live calls, items come by due time, earliest first (queue_order)
            return item.sla_due is not None and item.sla_due <= now
        return False

    # --- presence -----------------------------------------------------------------------

    def change_presence(self, agent_id: int, transition: AgentTransition, *,
                        source: str) -> AgentState | None:
        """Apply a transition to one agent now and tell it; None for an unknown agent."""
        old = self._agents.get(agent_id)
        if old is None:
            return None
        new = transition(old, self._clock.now())
        self._set_agent(new, source)
        return new

    def claim_ringing(self, call_id: str, agent_ids: Iterable[int]) -> tuple[int, ...]:
        """Ring these agents for a call if the rules still allow; the ones now ringing.

        Routing chose them from a snapshot; this is the moment of truth. An agent who
        turned busy since (a button, a click) is not rung.
        """
        now = self._clock.now()
        allowed = tuple(a for a in agent_ids
                        if a in self._agents and may_ring(self._agents[a], now))
        if allowed:
            self.apply_call_command(call_id, RingAgents(allowed))
        return allowed

    def apply_call_command(self, call_id: str, command: Command, missed_limit: int = 0) -> None:
        """A call flow's presence command (ring, stop, on call, free) on the current states."""
        now = self._clock.now()
        update = apply_presence(self._agents, command, call_id, now, missed_limit)
        for state in update.changed.values():
            self._set_agent(state, ROUTING_SOURCE)
        for agent_id in update.paused:
            reason = self._agents[agent_id].pause_reason or "missed offers"
            self._bus.publish(AgentPaused(at=now, agent_id=agent_id, reason=reason))

    def _set_agent(self, new: AgentState, source: str) -> None:
        old = self._agents.get(new.agent_id)
        self._agents[new.agent_id] = new
        if new.presence in _AWAY and new.agent_id in self._offers.values():
            self.release_offers()  # work held for a manager who left goes to everyone
        if old is not None and (old.presence, old.activity) == (new.presence, new.activity):
            return
        self._bus.publish(PresenceChanged(
            at=self._clock.now(), agent_id=new.agent_id, presence=new.presence.value,
            activity=new.activity.value, source=source))

    # --- work ---------------------------------------------------------------------------

    def file(self, ticket_id: int, item: WorkItem | None) -> None:
        """A ticket's work item as just committed (None: not open work); the ticket book's filer."""
        self._mark(f"ticket:{ticket_id}")
        self._place(ticket_id, item)

    def take(self, agent_id: int) -> WorkItem:
        """Reserve the next ticket the rules give this agent; WorkRefused or NothingToTake.

        The item is theirs in the queue at once, before the store has heard of it, so
        two agents taking at the same moment never get the same one. Live calls are
        answered on the phone, not taken here.
        """
        state = self._agents.get(agent_id)
        if state is None:
            raise WorkRefused("unknown")
        why = refusal(state, self._clock.now())
        if why is not None:
            raise WorkRefused(why)
        item = self.next_for(agent_id, live_calls=False)
        if item is None:
            raise NothingToTake()
        reserved = replace(item, assignee_id=agent_id, team_id=item.team_id)
        self._mark(item.id)
        self._queue.put(reserved)
        return reserved

    async def take_next(self, agent_id: int) -> int:
        """Give the agent the next ticket the rules allow: assigned, opened; its number.

        WorkRefused when the agent may take nothing now (busy, away, ringing, on a call,
        in wrap-up), NothingToTake when the queue holds nothing for them.
        """
        assert self._tickets is not None, "use_tickets() first"
        item = self.take(agent_id)
        ticket_id = ticket_id_of(item.id)
        assert ticket_id is not None  # take() hands out tickets only
        try:
            ticket = await self._tickets.assign(ticket_id, agent_id, by=agent_id)
            if ticket.status == TicketStatus.NEW.value:
                ticket = await self._tickets.change_status(ticket_id, "open", by=agent_id)
        except BaseException:
            self._stale.add(ticket_id)  # the reservation did not stick: read it back
            await self.refresh()
            raise
        return int(ticket.number)

    async def return_due_pending(self) -> list[int]:
        """Bring back the pending tickets whose time has come; their numbers.

        Each is written through the ticket book, so it is filed here (open work again)
        before its `TicketReturned` event tells the assignee.
        """
        assert self._tickets is not None, "use_tickets() first"
        return [int(t.number) for t in await self._tickets.return_due_pending()]

    def _mark(self, item_id: str) -> None:
        self._writes += 1
        self._written_at[item_id] = self._writes

    def _place(self, ticket_id: int, item: WorkItem | None) -> None:
        item_id = f"ticket:{ticket_id}"
        if item is not None:
            self._put_ticket(item)
        else:
            self._offers.pop(item_id, None)
            if item_id in self._queue:
                self._queue.remove(item_id)

    def _put_ticket(self, item: WorkItem) -> None:
        """File a ticket's item, held for its account manager while the rules say so."""
        manager = None
        if item.account_manager_id is not None:
            manager = self._agents.get(item.account_manager_id)
        item = as_offered(item, self._rules, manager, self._clock.now())
        if item.offered_to is not None:
            self._offers[item.id] = item.offered_to
        else:
            self._offers.pop(item.id, None)
        self._queue.put(item)

    # --- routing by customer and escalation ------------------------------------------------

    def use_rules(self, rules: CustomerRules, escalation: EscalationRules) -> list[str]:
        """New routing by customer and escalation rules (saved on the settings page), live.

        New work and the next escalation round follow them; open tickets are filed again,
        so work held for an account manager is held, or let go, as the new rules say. The
        ids of the items whose hold changed.
        """
        self._rules, self._escalation = rules, escalation
        now = self._clock.now()
        refiled = []
        for item in self.items(where=lambda i: i.kind is not Channel.CALL):
            manager = (self._agents.get(item.account_manager_id)
                       if item.account_manager_id is not None else None)
            if as_offered(item, rules, manager, now).offered_to != item.offered_to:
                self._mark(item.id)
                self._put_ticket(item)
                refiled.append(item.id)
        return refiled

    def release_offers(self) -> list[str]:
        """Offer to everyone the work held for an account manager whose time is up (or who
        went away); the ids of the items released."""
        now = self._clock.now()
        released = []
        for item_id, manager_id in list(self._offers.items()):
            if item_id not in self._queue:
                del self._offers[item_id]
                continue
            item = self._queue.get(item_id)
            manager = self._agents.get(manager_id)
            if (now >= offer_ends(item, self._rules) or manager is None
                    or manager.presence in _AWAY):
                self._mark(item_id)
                self._put_ticket(item)
                released.append(item_id)
        return released

    async def _route_new(self) -> None:
        """New tickets by their customer: a VIP's priority raised, the manager assigned."""
        while self._new and self._tickets is not None:
            ticket_id = self._new.pop()
            item = self.item(ticket_item_id(ticket_id))
            if item is None:
                continue
            routing = route_new_work(item, self._rules)
            assign_to = routing.assign_to if routing.assign_to in self._agents else None
            try:
                if routing.raise_to is not None:
                    await self._tickets.set_priority(ticket_id, routing.raise_to.value)
                if assign_to is not None:
                    await self._tickets.assign(ticket_id, assign_to)
            except Exception as error:  # merged or gone meanwhile: nothing left to route
                log.warning("ticket %d not routed by customer: %s", ticket_id, error)

    async def escalate(self) -> list[SlaAlert]:
        """Warn of items nearing their due time, act on breached ones; the alerts told now.

        Each alert is told once for good: the notice log keeps its key, so a restart or
        a second box process never repeats it. One whose notices were never recorded (its
        event was still on the bus, or this round was cut short, when the daemon stopped)
        is told again: the notices' own keys keep each agent's notice single.
        """
        now = self._clock.now()
        before, self._alerted = self._alerted, {}
        waiting = []
        for alert in sla_alerts(self._queue, now, self._escalation):
            stage = (alert.stage, alert.due)
            self._alerted[alert.item.id] = stage  # a round begun meanwhile tells it no more
            if before.get(alert.item.id) != stage:
                waiting.append(alert)
        del before
        told = []
        owed_count = 0
        # A batch at a time: a first start on old open work may find tens of thousands
        # breached, and their keys and notice rows are built for one batch, not for all.
        for start in range(0, len(waiting), ALERT_BATCH):
            batch = {a.key: a for a in waiting[start:start + ALERT_BATCH]}
            kinds = {key: f"sla-{a.stage.value}" for key, a in batch.items()}
            tickets = {key: ticket_id_of(a.item.id) for key, a in batch.items()}
            fresh = await self._store.call(claim_alerts, list(batch), kinds, tickets, now)
            owed = await self._store.call(owed_alerts, [key for key in batch if key not in fresh])
            owed_count += len(owed)
            for key, alert in batch.items():
                if key in fresh or key in owed:
                    await self._tell_alert(alert, now)
                    told.append(alert)
        if owed_count:
            log.info("%d SLA alerts left untold by the last stop are told now", owed_count)
        return told

    async def _tell_alert(self, alert: SlaAlert, now: datetime) -> None:
        item = alert.item
        ticket_id = ticket_id_of(item.id)
        assignee = item.assignee_id if item.assignee_id is not None else item.offered_to
        if alert.stage is SlaStage.WARNING:
            self._bus.publish(SlaWarning(at=now, ticket_id=ticket_id, customer_id=item.customer_id,
                                         due=alert.due, assignee_id=assignee,
                                         team_id=item.team_id))
            return
        rules = self._escalation
        named = None
        if rules.reassign_to not in (None, POOL):
            named = self._roster.agent_id(str(rules.reassign_to))
            if named is None:
                log.warning("escalation.breach_reassign: no active agent %r", rules.reassign_to)
        actions = breach_actions(item, rules, named)
        self._bus.publish(SlaBreached(at=now, ticket_id=ticket_id, customer_id=item.customer_id,
                                      due=alert.due, assignee_id=assignee, team_id=item.team_id,
                                      tell_team=actions.tell_team))
        if ticket_id is None or self._tickets is None:
            return
        try:
            if actions.raise_to is not None:
                await self._tickets.set_priority(ticket_id, actions.raise_to.value)
            if actions.reassign:
                await self._tickets.assign(ticket_id, actions.assign_to)
        except Exception as error:  # closed or merged meanwhile
            log.warning("ticket %d: breach actions not applied: %s", ticket_id, error)

    # --- following the bus ---------------------------------------------------------------

    async def _on_event(self, event: Event) -> None:
        if isinstance(event, CallOffered):
            self._queue.put(WorkItem(id=call_item_id(event.call_id), kind=Channel.CALL,
                                     created_at=event.at, customer_id=event.customer_id,
                                     caller_number=event.number))
        elif isinstance(event, CallAnswered | CallEnded):
            item_id = call_item_id(event.call_id)
            if item_id in self._queue:
                self._queue.remove(item_id)
        elif isinstance(event, AgentRosterChanged):
            await self._reload_roster()
        elif isinstance(event, CUSTOMER_EVENTS):
            self._stale.update(self._tickets_of_customers(_customers_in(event)))
        elif event.ticket_id is not None:
            self._stale.add(event.ticket_id)
            if isinstance(event, TicketCreated):
                self._new.add(event.ticket_id)
        # read back once the burst is over: one query for a whole intake batch
        if self._stale and (self._sub is None or self._sub.queue.qsize() == 0):
            await self.refresh()
            await self._route_new()

    async def refresh(self) -> None:
        """Read back the tickets other writers changed, and file them."""
        while self._stale:
            batch = sorted(self._stale)[:READ_BATCH]
            self._stale.difference_update(batch)
            started = self._writes
            items = await self._store.call(read_open_items, batch)
            for ticket_id in batch:
                if self._written_at.get(f"ticket:{ticket_id}", 0) > started:
                    continue  # filed or taken here meanwhile: that is newer than this read
                self._place(ticket_id, items.get(ticket_id))

    def _tickets_of_customers(self, customer_ids: set[int]) -> set[int]:
        found = set()
        for item in self._queue:
            ticket_id = ticket_id_of(item.id)
            if ticket_id is not None and item.customer_id in customer_ids:
                found.add(ticket_id)
        return found

    async def roster_changed(self, agent_id: int, change: str) -> None:
        """A login was added, changed, deactivated or reactivated here: read the agents again.

        Told on the bus too, for the history and for what other parts show.
        """
        await self._reload_roster()
        self._bus.publish(AgentRosterChanged(at=self._clock.now(), agent_id=agent_id,
                                             change=change))

    async def _reload_roster(self) -> None:
        roster = await self._store.call(read_roster)
        self._roster = roster
        for agent_id in roster.logins:
            self._agents.setdefault(agent_id, AgentState(agent_id=agent_id))
        for agent_id in [a for a in self._agents if a not in roster.logins]:
            del self._agents[agent_id]  # deactivated: no longer offered anything


def _customers_in(event: Event) -> set[int]:
    ids = {event.customer_id} if event.customer_id is not None else set()
    if isinstance(event, CustomersMerged):
        ids.add(event.gone_id)
    return ids
