"""Tickets of any status by status, assignee and customer, and the customers, a page at a time.

The queue shows open work from the switchboard's live picture; these lists are read
from the store, so pending, resolved, closed and merged tickets can be looked up too.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import Any, cast

import peewee as pw

from appliance.store.errors import InvalidInput
from appliance.store.models import Agent, ContactPoint, Customer, Ticket
from appliance.store.ticket_tags import normalise_tag, tagged, tags_by_ticket
from appliance.tickets import TicketStatus

PAGE_ROWS = 50
MAX_PAGE = 100_000  # a page number past this is a typo, not a wish
STATUSES = tuple(s.value for s in TicketStatus)


@dataclass(frozen=True, slots=True)
class TicketListing:
    """Which tickets: empty fields do not narrow; assignee is an agent id, "none" or "";
    a tag is normalised as typed."""

    status: str = ""
    assignee: str = ""
    customer_id: int | None = None
    page: int = 1
    tag: str = ""

    def __post_init__(self) -> None:
        if self.tag:
            object.__setattr__(self, "tag", normalise_tag(self.tag))
        if self.status and self.status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}")
        if self.assignee and self.assignee != "none" and not self.assignee.isdigit():
            raise InvalidInput("assignee must be an agent's id or none")
        if not 1 <= self.page <= MAX_PAGE:
            raise InvalidInput(f"page must be between 1 and {MAX_PAGE}")


@dataclass(frozen=True, slots=True)
class TicketLine:
    number: int
    subject: str
    channel: str
    status: str
    priority: str
    customer_id: int | None
    customer_name: str
    assignee_name: str
    created_at: datetime
    updated_at: datetime
    pending_until: datetime | None
    pending_reason: str
    tags: list[str] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {"number": self.number, "subject": self.subject, "channel": self.channel,
                "status": self.status, "priority": self.priority,
                "customer_id": self.customer_id, "customer": self.customer_name,
                "assignee": self.assignee_name, "created_at": self.created_at.isoformat(),
                "updated_at": self.updated_at.isoformat(),
                "pending_until": self.pending_until.isoformat() if self.pending_until else None,
                "pending_reason": self.pending_reason, "tags": self.tags}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list, and how many rows the whole list has."""

    rows: list[Any]
    total: int
    page: int
    per_page: int = PAGE_ROWS

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_tickets(listing: TicketListing) -> Page:
    """One page of tickets; pending ones by when they come back, the rest newest first."""
    where: list[pw.Expression] = []
    if listing.status:
        where.append(Ticket.status == listing.status)
    if listing.assignee == "none":
        where.append(Ticket.assignee.is_null())
    elif listing.assignee:
        where.append(Ticket.assignee == int(listing.assignee))
    if listing.customer_id is not None:
        where.append(Ticket.customer == listing.customer_id)
    if listing.tag:
        where.append(tagged(listing.tag))
    condition = reduce(operator.and_, where) if where else pw.SQL("1 = 1")
    total = Ticket.select().where(condition).count()
    order = ([Ticket.pending_until.asc(nulls="LAST"), Ticket.number.desc()]
             if listing.status == "pending" else [Ticket.number.desc()])
    rows = cast(Iterable[tuple[Any, ...]], (
        Ticket.select(Ticket.id, Ticket.number, Ticket.subject, Ticket.channel, Ticket.status,
                      Ticket.priority, Ticket.customer, Customer.name, Agent.name,
                      Ticket.created_at, Ticket.updated_at, Ticket.pending_until,
                      Ticket.pending_reason)
        .join(Customer, pw.JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
        .switch(Ticket).join(Agent, pw.JOIN.LEFT_OUTER, on=(Ticket.assignee == Agent.id))
        .where(condition).order_by(*order).paginate(listing.page, PAGE_ROWS).tuples()))
    found = list(rows)
    tags = tags_by_ticket(r[0] for r in found)
    lines = [TicketLine(number=r[1], subject=r[2], channel=r[3], status=r[4], priority=r[5],
                        customer_id=r[6], customer_name=r[7] or "", assignee_name=r[8] or "",
                        created_at=Ticket.created_at.python_value(r[9]),
                        updated_at=Ticket.updated_at.python_value(r[10]),
                        pending_until=Ticket.pending_until.python_value(r[11]),
                        pending_reason=r[12] or "", tags=tags.get(r[0], [])) for r in found]
    return Page(lines, total, listing.page)


@dataclass(frozen=True, slots=True)
class CustomerLine:
    id: int
    name: str
    vip: bool
    contacts: list[str]
    tickets: int

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "vip": self.vip, "contacts": self.contacts,
                "tickets": self.tickets}


def list_customers(page: int) -> Page:
    """One page of customers (erased ones left out), by name."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"page must be between 1 and {MAX_PAGE}")
    alive = Customer.erased_at.is_null()
    total = Customer.select().where(alive).count()
    count = pw.fn.COUNT(Ticket.id)
    rows = cast(Iterable[tuple[int, str, bool, int]], (
        Customer.select(Customer.id, Customer.name, Customer.vip, count)
        .join(Ticket, pw.JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
        .where(alive).group_by(Customer.id, Customer.name, Customer.vip)
        .order_by(pw.fn.LOWER(Customer.name), Customer.id)
        .paginate(page, PAGE_ROWS).tuples()))
    found = list(rows)
    contacts: dict[int, list[str]] = {}
    for customer_id, value in cast(Iterable[tuple[int, str]], (
            ContactPoint.select(ContactPoint.customer, ContactPoint.value)
            .where(ContactPoint.customer.in_([r[0] for r in found]))
            .order_by(ContactPoint.id).tuples())):
        contacts.setdefault(customer_id, []).append(value)
    return Page([CustomerLine(r[0], r[1], bool(r[2]), contacts.get(r[0], []), int(r[3]))
                 for r in found], total, page)
