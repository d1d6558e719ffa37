"""What the ticket page shows, read in one go in the store thread. Blocking."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from appliance.store.after_calls import saved_for_customer
from appliance.store.errors import NotFound
from appliance.store.models import (
    Agent,
    Attachment,
    Call,
    ContactPoint,
    Customer,
    Message,
    Ticket,
)
from appliance.store.ticket_tags import tags_of
from appliance.web.frame.people import active_agents, all_teams

TIMELINE_MAX = 300  # entries shown; older ones are in the customer's history
OTHER_TICKETS_MAX = 20


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened with the customer: a mail, an SMS, a note, a call, what an
    agent wrote after a call."""

    at: datetime
    kind: str  # email / sms / note / call / web / after_call
    direction: str  # in / out / internal
    ticket_number: int | None
    who: str
    subject: str = ""
    body: str = ""
    message_id: int | None = None
    has_html: bool = False
    attachments: tuple[tuple[int, str, int], ...] = ()  # (id, file name, size)
    call_outcome: str = ""
    recordings: tuple[int, ...] = ()  # attachment ids of the box's own recordings (voicemail)

    def json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "direction": self.direction,
                "ticket_number": self.ticket_number, "who": self.who, "subject": self.subject,
                "body": self.body, "message_id": self.message_id, "has_html": self.has_html,
                "attachments": [{"id": i, "filename": n, "size": s}
                                for i, n, s in self.attachments],
                "call_outcome": self.call_outcome}


@dataclass(slots=True)
class TicketView:
    """A ticket with its customer, timeline and the choices for its fields."""

    ticket: Ticket
    customer: Customer | None
    contacts: list[tuple[str, str]]
    timeline: list[TimelineEntry]
    other_tickets: list[Ticket]
    agents: list[tuple[int, str, str]]  # (id, name, login)
    teams: list[tuple[int, str]]
    merged_into_number: int | None = None
    merged_numbers: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def ticket_by_number(number: int) -> Ticket:
    """The ticket with this human number, or NotFound."""
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        raise NotFound(f"ticket #{number} does not exist")
    return ticket


def _message_entries(ticket_ids: list[int]) -> list[TimelineEntry]:
    messages = list(Message.select().where(Message.ticket.in_(ticket_ids))
                    .order_by(Message.id.desc()).limit(TIMELINE_MAX))
    numbers = dict(cast(Iterable[tuple[int, int]], Ticket.select(Ticket.id, Ticket.number)
                        .where(Ticket.id.in_(ticket_ids)).tuples()))
    names = dict(cast(Iterable[tuple[int, str]], Agent.select(Agent.id, Agent.name).tuples()))
    files: dict[int, list[tuple[int, str, int]]] = {}
    recordings: dict[int, list[int]] = {}
    channels = {m.id: m.channel for m in messages}
    ids = [m.id for m in messages]
    if ids:
        for a in Attachment.select().where(Attachment.message.in_(ids)).order_by(Attachment.id):
            files.setdefault(a.message_id, []).append((a.id, a.filename, a.size))
            if is_recording(channels[a.message_id], a.content_type):
                recordings.setdefault(a.message_id, []).append(a.id)
    return [TimelineEntry(
        at=m.created_at, kind=m.channel, direction=m.direction,
        ticket_number=numbers.get(m.ticket_id), who=names.get(m.author_id or 0, "") or m.sender,
        subject=m.subject, body=m.body_text, message_id=m.id, has_html=bool(m.body_html),
        attachments=tuple(files.get(m.id, ())), recordings=tuple(recordings.get(m.id, ())))
        for m in messages]


def is_recording(message_channel: str, content_type: str) -> bool:
    """A message the box recorded on a call (voicemail): the page may play it.

    Only the box's own Ogg/Opus files on call messages; a mail's attachment, whatever
    type it claims, stays a download.
    """
    return message_channel == "call" and content_type == "audio/ogg"


def _call_entries(customer_id: int) -> list[TimelineEntry]:
    calls = (Call.select().where(Call.customer == customer_id)
             .order_by(Call.offered_at.desc()).limit(TIMELINE_MAX))
    return [TimelineEntry(at=c.offered_at, kind="call", direction=c.direction,
                          ticket_number=None, who=c.number or "", call_outcome=c.outcome or "",
                          body="") for c in calls]


def _after_call_entries(customer_id: int) -> list[TimelineEntry]:
    """The saved after-call items: what each agent wrote when a call with the customer ended."""
    items = saved_for_customer(customer_id, TIMELINE_MAX)
    names = dict(cast(Iterable[tuple[int, str]], Agent.select(Agent.id, Agent.name).tuples()))
    ticket_ids = [i.follow_up_ticket_id for i in items if i.follow_up_ticket_id is not None]
    numbers = dict(cast(Iterable[tuple[int, int]], Ticket.select(Ticket.id, Ticket.number)
                        .where(Ticket.id.in_(ticket_ids)).tuples())) if ticket_ids else {}
    return [TimelineEntry(at=i.saved_at or i.opened_at, kind="after_call", direction="internal",
                          ticket_number=numbers.get(i.follow_up_ticket_id or 0),
                          who=names.get(i.agent_id or 0, ""), body=i.notes,
                          call_outcome=f"after_call:{i.outcome}" if i.outcome else "")
            for i in items]


def customer_timeline(customer_id: int | None, ticket_ids: list[int]) -> list[TimelineEntry]:
    """Messages of these tickets and of the customer's other tickets, and their calls, oldest
    first."""
    if customer_id is not None:
        others = Ticket.select(Ticket.id).where(Ticket.customer == customer_id).tuples()
        ticket_ids = sorted({*ticket_ids, *(i for (i,) in cast(Iterable[tuple[int]], others))})
    entries = _message_entries(ticket_ids)
    if customer_id is not None:
        entries.extend(_call_entries(customer_id))
        entries.extend(_after_call_entries(customer_id))
    entries.sort(key=lambda e: e.at)
    return entries[-TIMELINE_MAX:]


def contacts_of(customer_id: int) -> list[tuple[str, str]]:
    query = (ContactPoint.select(ContactPoint.kind, ContactPoint.value)
             .where(ContactPoint.customer == customer_id)
             .order_by(ContactPoint.kind.desc(), ContactPoint.id).tuples())
    return list(cast(Iterable[tuple[str, str]], query))


def ticket_view(number: int) -> TicketView:
    """Everything the ticket page shows."""
    ticket = ticket_by_number(number)
    customer = Customer.get_or_none(Customer.id == ticket.customer_id) if ticket.customer_id \
        else None
    merged = list(Ticket.select(Ticket.id, Ticket.number).where(Ticket.merged_into == ticket.id))
    timeline = customer_timeline(ticket.customer_id, [ticket.id, *(m.id for m in merged)])
    others: list[Ticket] = []
    if ticket.customer_id is not None:
        others = list(Ticket.select().where((Ticket.customer == ticket.customer_id)
                                            & (Ticket.id != ticket.id))
                      .order_by(Ticket.number.desc()).limit(OTHER_TICKETS_MAX))
    into = None
    if ticket.merged_into_id is not None:
        target = Ticket.get_or_none(Ticket.id == ticket.merged_into_id)
        into = target.number if target else None
    return TicketView(ticket=ticket, customer=customer,
                      contacts=contacts_of(ticket.customer_id) if ticket.customer_id else [],
                      timeline=timeline, other_tickets=others, agents=active_agents(),
                      teams=all_teams(), merged_into_number=into,
                      merged_numbers=[m.number for m in merged], tags=tags_of(ticket.id))


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    """A ticket's fields as JSON-ready data."""
    def iso(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {"id": ticket.id, "number": ticket.number, "channel": ticket.channel,
            "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
            "customer_id": ticket.customer_id, "assignee_id": ticket.assignee_id,
            "team_id": ticket.team_id, "merged_into_id": ticket.merged_into_id,
            "created_at": iso(ticket.created_at), "updated_at": iso(ticket.updated_at),
            "first_response_due": iso(ticket.first_response_due),
            "first_responded_at": iso(ticket.first_responded_at),
            "resolution_due": iso(ticket.resolution_due), "resolved_at": iso(ticket.resolved_at)}
