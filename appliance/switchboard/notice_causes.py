"""What an event tells whom: an assignment its new assignee, a note each agent it @mentions,
an SLA warning the assignee, a breach the assignee and (if so configured) the team, a
returning pending ticket its assignee. Each notice has a key made from its cause, so the
same cause seen twice (a replay, a restart) is told once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

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
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.tickets.mentions import mentioned

_IN_BATCH = 500  # ids in one IN (...): well inside SQLite's bound parameters


@dataclass(frozen=True, slots=True)
class Notice:
    """One agent to tell of one thing, keyed by what caused it."""

    key: str
    agent_id: int
    kind: NoticeKind
    ticket_id: int | None
    number: int | None
    values: Mapping[str, object]


def _ticket_numbers(ticket_ids: Iterable[int]) -> dict[int, int]:
    wanted = sorted(set(ticket_ids))
    numbers: dict[int, int] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        rows = cast(Iterable[tuple[int, int]], Ticket.select(Ticket.id, Ticket.number).where(
            Ticket.id.in_(wanted[start:start + _IN_BATCH])).tuples())
        numbers.update((int(ticket_id), int(number)) for ticket_id, number in rows)
    return numbers


def _note(message_id: int) -> tuple[str, int | None] | None:
    """An internal note's text and author, None for any other message."""
    row = (Message.select(Message.body_text, Message.author, Message.direction, Message.channel)
           .where(Message.id == message_id).tuples().first())
    if row is None or row[3] != "note":
        return None
    return str(row[0]), row[1]


def _numbered_ticket(event: Event) -> int | None:
    """The ticket whose number the event's notices name, where the event does not carry it."""
    if isinstance(event, SlaWarning | SlaBreached) or (
            isinstance(event, MessageAdded) and event.channel == "note"):
        return event.ticket_id
    return None


class NoticeCauses:
    """Finds the notices of each event, reading the store (in its thread) for who and which
    ticket."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar

    def use_calendar(self, calendar: BusinessCalendar) -> None:
        """The office's hours saved while the box runs (their zone words the due times)."""
        self._calendar = calendar

    def read(self, events: Sequence[Event]) -> list[list[Notice]]:
        """The notices of each event, in order. Blocking; run in the store thread: a burst's
        ticket numbers are read in one query, each team's members and the agents once."""
        numbers = _ticket_numbers(
            t for e in events if (t := _numbered_ticket(e)) is not None)
        teams: dict[int | None, list[int]] = {}
        agents: dict[int, tuple[str, str]] | None = None
        found = []
        for event in events:
            if isinstance(event, SlaBreached) and event.tell_team and event.team_id not in teams:
                teams[event.team_id] = team_members(event.team_id)
            if isinstance(event, MessageAdded) and event.channel == "note" and agents is None:
                agents = active_agents()
            found.append(self._notices(event, numbers, teams, agents or {}))
        return found

    def _notices(self, event: Event, numbers: Mapping[int, int],
                 teams: Mapping[int | None, list[int]],
                 agents: Mapping[int, tuple[str, str]]) -> list[Notice]:
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
            return self._sla_notices(event, numbers, teams)
        if isinstance(event, MessageAdded) and event.channel == "note":
            return self._mentions(event, numbers, agents)
        return []

    def _sla_notices(self, event: SlaWarning | SlaBreached, numbers: Mapping[int, int],
                     teams: Mapping[int | None, list[int]]) -> list[Notice]:
        if event.ticket_id is None:
            return []
        kind = NoticeKind.SLA_BREACH if isinstance(event, SlaBreached) else NoticeKind.SLA_WARNING
        agents = [event.assignee_id] if event.assignee_id is not None else []
        if isinstance(event, SlaBreached) and event.tell_team:
            agents += teams[event.team_id]
        number = numbers.get(event.ticket_id)
        due = event.due.astimezone(self._calendar.zone).strftime("%H:%M")
        return [Notice(f"{kind.value}:{event.ticket_id}:{event.due.isoformat()}:{agent}", agent,
                       kind, event.ticket_id, number, {"due": due})
                for agent in dict.fromkeys(agents)]

    def _mentions(self, event: MessageAdded, numbers: Mapping[int, int],
                  agents: Mapping[int, tuple[str, str]]) -> list[Notice]:
        note = _note(event.message_id)
        if note is None or "@" not in note[0] or event.ticket_id is None:
            return []
        text, author_id = note
        named = agents.get(author_id) if author_id is not None else None
        author = named[1] if named is not None else "Aspa"
        number = numbers.get(event.ticket_id)
        return [Notice(f"mention:{event.message_id}:{agent}", agent, NoticeKind.MENTION,
                       event.ticket_id, number, {"author": author})
                for agent in sorted(mentioned(text, agents)) if agent != author_id]
