"""The work queue's contents from the store: open tickets, read as a stream of small items.

Only the few columns the queue orders by are read, as tuples through a
server-side iterator, so a store with 100,000 tickets never has them all
in memory at once; closed history is not read at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import peewee as pw

from appliance.presence.channel import Channel
from appliance.queue.work_item import WorkItem
from appliance.queue.work_queue import WorkQueue
from appliance.store.models import Customer, Ticket, database_proxy
from appliance.tickets.priority import Priority
from appliance.tickets.status import TicketStatus

# Pending tickets wait for the customer: not work an agent can do now.
QUEUED_STATUSES = (TicketStatus.NEW.value, TicketStatus.OPEN.value)

# A stored ticket is never a live call: a call record that needs work is owed a callback.
_CHANNELS = {
    "email": Channel.EMAIL,
    "web": Channel.EMAIL,
    "sms": Channel.SMS,
    "call": Channel.CALLBACK,
    "callback": Channel.CALLBACK,
}


def ticket_item_id(ticket_id: int) -> str:
    """The work-queue id of a ticket."""
    return f"ticket:{ticket_id}"


def call_item_id(call_id: str) -> str:
    """The work-queue id of a live call."""
    return f"call:{call_id}"


def ticket_id_of(item_id: str) -> int | None:
    """The ticket id behind a work-queue id, None for live calls and others."""
    prefix, _, rest = item_id.partition(":")
    return int(rest) if prefix == "ticket" and rest.isdigit() else None


def _priority(value: str) -> Priority:
    try:
        return Priority(value)
    except ValueError:
        return Priority.NORMAL


def next_sla_due(first_due: datetime | None, responded: datetime | None,
                 resolution_due: datetime | None) -> datetime | None:
    """The next SLA deadline: first response until answered, then resolution."""
    if first_due is not None and responded is None:
        return first_due if resolution_due is None else min(first_due, resolution_due)
    return resolution_due


def _open_tickets_query(ticket_ids: list[int] | None = None) -> pw.Select:
    query = (
        Ticket.select(
            Ticket.id, Ticket.channel, Ticket.created_at, Ticket.priority,
            Ticket.first_response_due, Ticket.first_responded_at, Ticket.resolution_due,
            Ticket.customer, Ticket.team, Ticket.assignee, Ticket.merged_into,
            Customer.vip, Customer.account_manager,
        )
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
        # Only the status in SQL: with `merged_into IS NULL` there too, SQLite may walk
        # the merged_into index (null for nearly every ticket) and read the whole table.
        .where(Ticket.status.in_(QUEUED_STATUSES))
    )
    if ticket_ids is not None:
        query = query.where(Ticket.id.in_(ticket_ids))
    return query


def _moment(value: object) -> datetime:
    """A stored time as the UtcDateTimeField reads it (aware UTC), without peewee's
    converters: they guessed each value's format by strptime, 0.4 s of the 1 s that
    50,000 open items took to load at start (bench/README.md)."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return Ticket.created_at.python_value(value)  # type: ignore[no-any-return]
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _utc(value: object) -> datetime | None:
    return None if value is None else _moment(value)


def open_ticket_items(ticket_ids: list[int] | None = None) -> Iterator[WorkItem]:
    """Work items of the open tickets (all, or those of `ticket_ids`), streamed."""
    rows = database_proxy.execute(_open_tickets_query(ticket_ids))  # raw rows: no converters
    for (ticket_id, channel, created, priority, first_due, responded, resolution_due,
         customer_id, team_id, assignee_id, merged_into, vip, manager_id) in rows:
        if merged_into is not None:
            continue  # its work goes on in the ticket it was merged into
        yield WorkItem(
            id=ticket_item_id(ticket_id),
            kind=_CHANNELS.get(channel, Channel.EMAIL),
            created_at=_moment(created),
            priority=_priority(priority),
            sla_due=next_sla_due(_utc(first_due), _utc(responded), _utc(resolution_due)),
            customer_id=customer_id,
            team_id=team_id,
            assignee_id=assignee_id,
            vip=bool(vip),
            account_manager_id=manager_id,
        )


def load_open_tickets() -> WorkQueue:
    """A new queue holding every open ticket. Runs in the store thread, before anyone reads it."""
    return WorkQueue.of(open_ticket_items())


def read_open_item(ticket_id: int) -> WorkItem | None:
    """One ticket's work item, or None when it is no longer open work."""
    return next(open_ticket_items([ticket_id]), None)


def read_open_items(ticket_ids: list[int]) -> dict[int, WorkItem]:
    """The work items of those of these tickets that are open work, by ticket id."""
    found: dict[int, WorkItem] = {}
    for item in open_ticket_items(ticket_ids):
        ticket_id = ticket_id_of(item.id)
        if ticket_id is not None:
            found[ticket_id] = item
    return found
