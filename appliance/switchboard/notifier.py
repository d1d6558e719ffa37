"""Notices to agents away from the page: of assignment, @mention, SLA warning and breach, and
pending tickets come back; each agent's chosen way, outside their quiet hours, never twice.

It follows the bus. For each event it finds whom to tell, asks the core's
rules (appliance.queue.notice_rules) how and when, records the notice under a
key made from the event (a repeat finds the key taken and tells no one), and
hands it to the chosen sender. A notice held for quiet hours waits in the log
until `release_held` finds its time has come. An agent with a page open sees
it there (`AgentNotified`, way "page") and is sent nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time

from appliance.ports.adapter import AdapterHealth
from appliance.ports.notices import AgentNotice, NoticeSender
from appliance.queue.notice_rules import (
    Delivery,
    NoticeChoices,
    NoticeKind,
    NoticeWay,
    Outcome,
    QuietHours,
    deliver,
)
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    AgentNotified,
    Event,
    MessageAdded,
    SlaBreached,
    SlaWarning,
    TicketAssigned,
    TicketReturned,
)
from appliance.store import notice_log
from appliance.store.models import Message, Ticket
from appliance.store.notice_choices import (
    AgentContact,
    StoredChoices,
    active_agents,
    contact,
    read_choices,
    team_members,
)
from appliance.store.worker import StoreWorker
from appliance.switchboard.notice_texts import notice_subject, notice_text
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.mentions import mentioned

log = logging.getLogger("aspa.notices")

WATCHED: tuple[type[Event], ...] = (
    TicketAssigned, MessageAdded, SlaWarning, SlaBreached, TicketReturned)


@dataclass(frozen=True, slots=True)
class Notice:
    """One agent to tell of one thing, keyed by what caused it."""

    key: str
    agent_id: int
    kind: NoticeKind
    ticket_id: int | None
    number: int | None
    values: Mapping[str, object]


def choices_of(stored: StoredChoices) -> NoticeChoices:
    """The core's view of stored choices (a malformed time counts as unset)."""
    ways = {NoticeKind(k): NoticeWay(v) for k, v in stored.ways.items()}
    return NoticeChoices(ways, QuietHours(_clock_time(stored.quiet_start),
                                          _clock_time(stored.quiet_end)))


def _clock_time(text: str | None) -> time | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


def _ticket_number(ticket_id: int) -> int | None:
    row = Ticket.select(Ticket.number).where(Ticket.id == ticket_id).tuples().first()
    return int(row[0]) if row else None


def _note(message_id: int) -> tuple[str, int | None] | None:
    """An internal note's text and author, None for any other message."""
    row = (Message.select(Message.body_text, Message.author, Message.direction, Message.channel)
           .where(Message.id == message_id).tuples().first())
    if row is None or row[3] != "note":
        return None
    return str(row[0]), row[1]


class Notifier:
    """Tells agents away from the page, each their chosen way."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: Clock,
                 calendar: BusinessCalendar, *, senders: Mapping[NoticeWay, NoticeSender],
                 page_open: Callable[[int], bool] = lambda _agent: False,
                 language: str = "fi") -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._calendar = calendar
        self._senders = dict(senders)
        self._page_open = page_open
        self._language = language
        self._sub: Subscription | None = None

    @property
    def name(self) -> str:
        return "notices"

    @property
    def calendar(self) -> BusinessCalendar:
        """The office's hours, whose closed times are quiet by default."""
        return self._calendar

    def use_settings(self, calendar: BusinessCalendar, *,
                     senders: Mapping[NoticeWay, NoticeSender], language: str) -> None:
        """Hours, ways and language saved while the box runs: the next notice follows them.

        A notice already held keeps its time; a new one is held to the new hours.
        """
        self._calendar = calendar
        self._senders = dict(senders)
        self._language = language

    async def start(self) -> None:
        """Follow the bus."""
        if self._sub is None:
            self._sub = self._bus.subscribe("notices", self._on_event, WATCHED)

    async def stop(self) -> None:
        if self._sub is not None:
            self._bus.unsubscribe(self._sub)
            self._sub = None

    def health(self) -> AdapterHealth:
        ways = ", ".join(sorted(way.value for way in self._senders)) or "the page only"
        return AdapterHealth(ok=True, detail=f"notices by {ways}")

    async def _on_event(self, event: Event) -> None:
        try:
            for notice in await self._notices_of(event):
                await self.tell(notice)
        except Exception:  # one failed notice must not stop the next events' notices
            log.exception("notice for %s failed", event.kind)

    async def _notices_of(self, event: Event) -> list[Notice]:
        if isinstance(event, TicketAssigned):
            if event.assignee_id is None or event.assignee_id == event.agent_id:
                return []  # taken back, or taken by the agent themself
            return [Notice(f"assigned:{event.event_id}", event.assignee_id, NoticeKind.ASSIGNED,
                           event.ticket_id, event.number, {})]
        if isinstance(event, TicketReturned):
            if event.assignee_id is None:
                return []
            return [Notice(f"reminder:{event.event_id}", event.assignee_id, NoticeKind.REMINDER,
                           event.ticket_id, event.number, {})]
        if isinstance(event, SlaWarning | SlaBreached):
            return await self._sla_notices(event)
        if isinstance(event, MessageAdded) and event.channel == "note":
            return await self._mentions(event)
        return []

    async def _sla_notices(self, event: SlaWarning | SlaBreached) -> list[Notice]:
        if event.ticket_id is None:
            return []
        kind = NoticeKind.SLA_BREACH if isinstance(event, SlaBreached) else NoticeKind.SLA_WARNING
        agents = [event.assignee_id] if event.assignee_id is not None else []
        if isinstance(event, SlaBreached) and event.tell_team:
            agents += await self._store.call(team_members, event.team_id)
        number = await self._store.call(_ticket_number, event.ticket_id)
        due = event.due.astimezone(self._calendar.zone).strftime("%H:%M")
        return [Notice(f"{kind.value}:{event.ticket_id}:{event.due.isoformat()}:{agent}", agent,
                       kind, event.ticket_id, number, {"due": due})
                for agent in dict.fromkeys(agents)]

    async def _mentions(self, event: MessageAdded) -> list[Notice]:
        note = await self._store.call(_note, event.message_id)
        if note is None or "@" not in note[0] or event.ticket_id is None:
            return []
        text, author_id = note
        agents = await self._store.call(active_agents)
        author = agents[author_id][1] if author_id in agents else "Aspa"
        number = await self._store.call(_ticket_number, event.ticket_id)
        return [Notice(f"mention:{event.message_id}:{agent}", agent, NoticeKind.MENTION,
                       event.ticket_id, number, {"author": author})
                for agent in sorted(mentioned(text, agents)) if agent != author_id]

    async def tell(self, notice: Notice) -> Delivery | None:
        """Tell one agent now, later or not at all; None when already told (or no such agent)."""
        who = await self._store.call(contact, notice.agent_id)
        if who is None:
            return None
        choices = choices_of(await self._store.call(read_choices, notice.agent_id))
        now = self._clock.now()
        delivery = deliver(notice.kind, choices, page_open=self._page_open(notice.agent_id),
                           calendar=self._calendar, now=now)
        delivery = self._reachable(delivery, who)
        subject, text = notice_text(who.language or self._language, notice.kind.value,
                                    number=notice.number, **notice.values)
        state = {Outcome.PAGE: notice_log.PAGE, Outcome.SEND: notice_log.SENT,
                 Outcome.HOLD: notice_log.HELD, Outcome.DROP: notice_log.DROPPED}[delivery.outcome]
        entry = await self._store.call(
            notice_log.claim, notice.key, kind=notice.kind.value, state=state, now=now,
            agent_id=notice.agent_id, ticket_id=notice.ticket_id, way=delivery.way.value,
            text=text, due_at=delivery.at if delivery.outcome is Outcome.HOLD else None)
        if entry is None:
            return None  # told already
        if delivery.outcome in (Outcome.PAGE, Outcome.SEND):
            await self._carry(delivery.way, who, notice.kind.value, notice.ticket_id,
                              notice.number, subject, text)
        log.info("notice %s to agent %d: %s %s", notice.kind.value, notice.agent_id,
                 delivery.outcome.value, delivery.way.value)
        return delivery

    async def release_held(self) -> int:
        """Send the held notices whose quiet hours are over; how many went."""
        now = self._clock.now()
        went = 0
        for held in await self._store.call(notice_log.held_due, now):
            who = None if held.agent_id is None else await self._store.call(contact, held.agent_id)
            if who is None:
                await self._store.call(notice_log.mark, held.id, notice_log.DROPPED, held.way, now)
                continue
            way = NoticeWay(held.way)
            if self._page_open(who.agent_id):
                way = NoticeWay.PAGE
            way = self._reachable(Delivery(Outcome.SEND, way, now), who).way
            number = None
            if held.ticket_id is not None:
                number = await self._store.call(_ticket_number, held.ticket_id)
            subject = notice_subject(who.language or self._language, number)
            await self._store.call(notice_log.mark, held.id,
                                   notice_log.PAGE if way is NoticeWay.PAGE else notice_log.SENT,
                                   way.value, now)
            await self._carry(way, who, held.kind, held.ticket_id, number, subject, held.text)
            went += 1
        return went

    def _reachable(self, delivery: Delivery, who: AgentContact) -> Delivery:
        """The page instead, when the chosen way has no sender or no address for this agent."""
        way = delivery.way
        missing = ((way is NoticeWay.EMAIL and not who.email)
                   or (way is NoticeWay.SMS and not who.phone)
                   or (way is not NoticeWay.PAGE and way not in self._senders))
        if not missing or delivery.outcome in (Outcome.PAGE, Outcome.DROP):
            return delivery
        log.warning("agent %d chose %s notices, but %s; shown on the page", who.agent_id,
                    way.value, "no address is set" if way in self._senders else "it is not set up")
        return Delivery(Outcome.PAGE if delivery.outcome is Outcome.SEND else delivery.outcome,
                        NoticeWay.PAGE, delivery.at)

    async def _carry(self, way: NoticeWay, who: AgentContact, kind: str, ticket_id: int | None,
                     number: int | None, subject: str, text: str) -> None:
        sender = self._senders.get(way)
        if sender is not None:
            await sender(AgentNotice(who.agent_id, kind, subject, text, number, who.email,
                                     who.phone))
        self._bus.publish(AgentNotified(at=self._clock.now(), agent_id=who.agent_id,
                                        ticket_id=ticket_id, notice=kind, way=way.value,
                                        number=number))

