"""One search, answered: the matching tickets and customers, best first, words marked.

A ticket matches through its subject or number, or through any of its messages and
notes; a customer through the name, the notes, or a number or address. Each ticket and
customer is listed once, at the rank of its best match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import peewee as pw

from appliance.store.models import Agent, ContactPoint, Customer, Message, Ticket
from appliance.store.search.highlight import Segment, is_marked, marked
from appliance.store.search.index_backends import (
    CONTACT,
    CUSTOMER,
    MESSAGE,
    TICKET,
    IndexHit,
    index_of,
)
from appliance.store.search.query_terms import SearchTerm, terms_of

INDEX_HITS_READ = 300  # matching rows of each kind read per search, before grouping
TICKETS_SHOWN = 25
CUSTOMERS_SHOWN = 10


@dataclass(slots=True)
class TicketFound:
    number: int
    status: str
    channel: str
    subject: list[Segment]
    excerpt: list[Segment]
    customer_name: str
    assignee_name: str

    def json(self) -> dict[str, Any]:
        return {"number": self.number, "status": self.status, "channel": self.channel,
                "subject": [s.json() for s in self.subject],
                "excerpt": [s.json() for s in self.excerpt],
                "customer": self.customer_name, "assignee": self.assignee_name}


@dataclass(slots=True)
class CustomerFound:
    id: int
    name: list[Segment]
    contacts: list[list[Segment]]
    excerpt: list[Segment]

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": [s.json() for s in self.name],
                "contacts": [[s.json() for s in c] for c in self.contacts],
                "excerpt": [s.json() for s in self.excerpt]}


@dataclass(slots=True)
class SearchResults:
    typed: str
    words: list[str]
    tickets: list[TicketFound] = field(default_factory=list)
    customers: list[CustomerFound] = field(default_factory=list)

    @property
    def nothing_found(self) -> bool:
        return not self.tickets and not self.customers

    def json(self) -> dict[str, Any]:
        return {"q": self.typed, "words": self.words,
                "tickets": [t.json() for t in self.tickets],
                "customers": [c.json() for c in self.customers]}


def search_for(db: pw.Database, typed: str) -> SearchResults:
    """Search tickets, messages, notes, customers and contacts. Blocking."""
    terms = terms_of(typed)
    found = SearchResults(typed, [t.word for t in terms])
    if not terms:
        return found
    hits = index_of(db).hits(terms, INDEX_HITS_READ)
    found.tickets = _tickets(hits, terms)
    found.customers = _customers(hits, terms)
    return found


def _ids(hits: list[IndexHit], kind: int) -> list[int]:
    return [h.row_id for h in hits if h.kind == kind]


def _tickets(hits: list[IndexHit], terms: list[SearchTerm]) -> list[TicketFound]:
    # which ticket each matching message is on: ids only, the texts of the shown ones later
    # (no statement for an empty list: each costs a round trip to the database)
    message_ids = _ids(hits, MESSAGE)
    ticket_of: dict[int, int] = dict(cast(
        Iterable[tuple[int, int]], Message.select(Message.id, Message.ticket)
        .where(Message.id.in_(message_ids)).tuples())) if message_ids else {}
    best_message: dict[int, int | None] = {}  # ticket id -> its best message, best first
    for hit in hits:
        if hit.kind == TICKET:
            best_message.setdefault(hit.row_id, None)
        elif hit.kind == MESSAGE and hit.row_id in ticket_of:
            ticket_id = ticket_of[hit.row_id]
            if best_message.get(ticket_id) is None:
                best_message[ticket_id] = hit.row_id
    wanted = list(best_message)[:TICKETS_SHOWN]
    if not wanted:
        return []
    shown_messages = [best_message[t] for t in wanted if best_message[t] is not None]
    texts = {m.id: m for m in Message.select(Message.id, Message.body_text, Message.sender)
             .where(Message.id.in_(shown_messages))} if shown_messages else {}
    rows = {t.id: t for t in Ticket.select(Ticket, Customer.name, Agent.name)
            .join(Customer, pw.JOIN.LEFT_OUTER, on=(Ticket.customer == Customer.id))
            .switch(Ticket).join(Agent, pw.JOIN.LEFT_OUTER, on=(Ticket.assignee == Agent.id))
            .where(Ticket.id.in_(wanted))}
    found = []
    for ticket_id in wanted:
        ticket = rows.get(ticket_id)
        if ticket is None:
            continue
        message = texts.get(best_message[ticket_id] or 0)
        excerpt = ""
        if message is not None:
            excerpt = next((t for t in (message.body_text, message.sender)
                            if is_marked(t, terms)), "")
        customer = getattr(ticket, "customer", None)
        assignee = getattr(ticket, "assignee", None)
        found.append(TicketFound(
            number=ticket.number, status=ticket.status, channel=ticket.channel,
            subject=marked(ticket.subject, terms), excerpt=marked(excerpt, terms),
            customer_name=customer.name if customer is not None else "",
            assignee_name=assignee.name if assignee is not None else ""))
    return found


def _customers(hits: list[IndexHit], terms: list[SearchTerm]) -> list[CustomerFound]:
    contact_ids = _ids(hits, CONTACT)
    contact_owner: dict[int, int] = dict(cast(
        Iterable[tuple[int, int]], ContactPoint.select(ContactPoint.id, ContactPoint.customer)
        .where(ContactPoint.id.in_(contact_ids)).tuples())) if contact_ids else {}
    order: dict[int, None] = {}
    for hit in hits:
        if hit.kind == CUSTOMER:
            order.setdefault(hit.row_id)
        elif hit.kind == CONTACT and hit.row_id in contact_owner:
            order.setdefault(contact_owner[hit.row_id])
    wanted = list(order)[:CUSTOMERS_SHOWN]
    if not wanted:
        return []
    rows = {c.id: c for c in Customer.select().where(Customer.id.in_(wanted)
                                                     & Customer.erased_at.is_null())}
    contacts: dict[int, list[str]] = {}
    rows_of_contacts = cast(Iterable[tuple[int, str]], ContactPoint.select(
        ContactPoint.customer, ContactPoint.value).where(ContactPoint.customer.in_(wanted))
        .order_by(ContactPoint.id).tuples())
    for customer_id, value in rows_of_contacts:
        contacts.setdefault(customer_id, []).append(value)
    found = []
    for customer_id in wanted:
        customer = rows.get(customer_id)
        if customer is None:
            continue
        notes = customer.notes if is_marked(customer.notes, terms) else ""
        found.append(CustomerFound(
            id=customer_id, name=marked(customer.name, terms),
            contacts=[marked(v, terms) for v in contacts.get(customer_id, [])],
            excerpt=marked(notes, terms)))
    return found
