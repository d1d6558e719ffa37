"""What an event tells whom: an assignment its new assignee, a note each agent it @mentions,
an SLA warning the assignee, a breach the assignee and (if so configured) the team, a
returning pending ticket its assignee. Each notice has a key made from its cause, so the
same cause seen twice (a replay, a restart) is told once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from appliance.queue.notice_rules import NoticeKind
from appliance.spine.events import (
    Event,
    MessageAdded,
    SlaBreached,
    SlaWarning,
    TicketAssigned,
    TicketReturned,
)
from appliance.store.models import Message, Ticket
from appliance.store.notice_choices import active_agents, team_members
from appliance.store.worker import StoreWorker
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.mentions import mentioned


@dataclass(frozen=True, slots=True)
class Notice:
    """One agent to tell of one thing, keyed by what caused it."""

    key: str
    agent_id: int
    kind: NoticeKind
    ticket_id: int | None
    number: int | None
    values: Mapping[str, object]


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


class NoticeCauses:
    """Finds the notices of each event, reading the store for who and which ticket."""

    def __init__(self, store: StoreWorker, calendar: BusinessCalendar) -> None:
        self._store = store
        self._calendar = calendar

    def use_calendar(self, calendar: BusinessCalendar) -> None:
        """The office's hours saved while the box runs (their zone words the due times)."""
        self._calendar = calendar

    async def notices_of(self, event: Event) -> list[Notice]:
        """The notices an event causes: whom to tell of what, each under its own key."""
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
