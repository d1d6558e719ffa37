"""The mail intake's hot writes in plain SQL: the same rows and events as CustomerDirectory and
TicketRecords, at a fraction of the cost, inside the caller's transaction.

The intake writes thousands of tickets in a row; peewee's query building took
most of its time. Anything off the common path (a reply that reopens or starts
a new ticket) goes through TicketRecords unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from appliance.spine.clock import Clock
from appliance.spine.events import Event, MessageAdded, TicketCreated
from appliance.store.contact_normalising import normalise_email
from appliance.store.customers import CREATE_ATTEMPTS
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Attachment, ContactPoint, Customer, Message, Ticket
from appliance.store.prepared_insert import PreparedInsert, Stored
from appliance.store.quick_sql import run_sql
from appliance.store.ticket_numbers import next_ticket_number
from appliance.store.ticket_records import (
    NUMBER_ATTEMPTS,
    MessageDraft,
    TicketRecords,
)
from appliance.store.ticket_sla_columns import sla_columns
from appliance.tickets import (
    BusinessCalendar,
    Priority,
    ReplyAction,
    SlaPolicy,
    TicketStatus,
    on_customer_reply,
    start_sla,
)


@dataclass(frozen=True, slots=True)
class IntakeWritten:
    """What one intake write made, and the events to publish once it has committed."""

    ticket_id: int
    message_id: int
    events: tuple[Event, ...]
    action: ReplyAction | None = None


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    """An attachment's row: the bytes themselves are stored by hash elsewhere."""

    filename: str
    content_type: str
    size: int
    sha256: str


class IntakeWrites:
    """Customers, tickets and messages for incoming mail; the caller holds the transaction."""

    def __init__(self, db: pw.Database, clock: Clock, *, policy: SlaPolicy | None = None,
                 calendar: BusinessCalendar | None = None) -> None:
        self.db = db
        self.clock = clock
        self.records = TicketRecords(db, clock, policy=policy, calendar=calendar)
        self._customer = PreparedInsert(db, Customer)
        self._contact = PreparedInsert(db, ContactPoint)
        self._new_contact = PreparedInsert(db, ContactPoint, skip_conflicts_on=("kind", "value"))
        self._ticket = PreparedInsert(db, Ticket)
        self._message = PreparedInsert(db, Message)
        self._attachment = PreparedInsert(db, Attachment)
        self._postgres = isinstance(db, pw.PostgresqlDatabase)
        p = db.param
        self._find_contact_sql = (
            'SELECT c."id", c."name" FROM "contact_point" AS cp JOIN "customer" AS c '
            f'ON c."id" = cp."customer_id" WHERE cp."kind" = {p} AND cp."value" = {p}')
        self._ticket_sql = (
            'SELECT "id", "number", "status", "customer_id" FROM "ticket" '
            f'WHERE "id" = {p}' + (" FOR UPDATE" if self._postgres else ""))
        self._touch_sql = f'UPDATE "ticket" SET "updated_at" = {p} WHERE "id" = {p}'

    def customer_for_email(self, raw_address: str, name: str = "", *,
                           likely_new: bool = False) -> int:
        """The id of the customer with this address, made if unknown (as find_or_create).

        likely_new: the caller looked the address up and found nobody, so on SQLite the
        customer is inserted first and the look-up is made only if the address turns out
        to be stored after all (its contact row conflicts; the new customer row goes).
        """
        value = normalise_email(raw_address)
        if likely_new and not self._postgres:
            customer_id = self._customer.insert(name=name)
            if self._new_contact.insert_new(customer=customer_id, kind="email",
                                            value=value) is not None:
                return customer_id
            run_sql(self.db, f'DELETE FROM "customer" WHERE "id" = {self.db.param}',
                    (customer_id,))
        found = run_sql(self.db, self._find_contact_sql, ("email", value)).fetchone()
        if found is not None:
            if name and not found[1]:
                run_sql(self.db, f'UPDATE "customer" SET "name" = {self.db.param} '
                        f'WHERE "id" = {self.db.param}', (name, found[0]))
            return int(found[0])
        if not self._postgres:
            # BEGIN IMMEDIATE holds SQLite's write lock: nobody can store the address meanwhile.
            return self._insert_customer(value, name)
        for _ in range(CREATE_ATTEMPTS):
            try:
                with self.db.atomic():  # a savepoint, as a failed INSERT spoils the transaction
                    return self._insert_customer(value, name)
            except pw.IntegrityError:
                found = run_sql(self.db, self._find_contact_sql, ("email", value)).fetchone()
                if found is not None:
                    return int(found[0])  # someone else stored it first
        raise InvalidInput(f"could not store email {value!r}: it keeps conflicting")

    def _insert_customer(self, value: str, name: str) -> int:
        customer_id = self._customer.insert(name=name)
        self._contact.insert(customer=customer_id, kind="email", value=value)
        return customer_id

    def open_ticket(self, subject: str, customer_id: int | None,
                    draft: MessageDraft) -> IntakeWritten:
        """A new email ticket with its first message, numbered like TicketRecords.open_ticket."""
        if draft.problems():
            raise InvalidInput("; ".join(draft.problems()))
        for _ in range(NUMBER_ATTEMPTS):
            number = 0
            try:
                if self._postgres:
                    # Another writer (the web) may take the number first; on PostgreSQL a
                    # failed INSERT spoils the transaction unless inside a savepoint.
                    with self.db.atomic():
                        number = self._next_number()
                        return self._insert_ticket(number, subject, customer_id, draft)
                number = self._next_number()  # BEGIN IMMEDIATE: no other writer meanwhile
                return self._insert_ticket(number, subject, customer_id, draft)
            except pw.IntegrityError:
                taken = run_sql(self.db,
                    f'SELECT 1 FROM "ticket" WHERE "number" = {self.db.param}',
                    (number,)).fetchone()
                if taken is None:
                    raise
        raise InvalidInput(f"no free ticket number after {NUMBER_ATTEMPTS} attempts")

    def existing_ticket(self, ticket_id: int) -> int | None:
        """The id back when the ticket still exists (a follow-up may name a deleted one)."""
        row = run_sql(self.db, f'SELECT "id" FROM "ticket" WHERE "id" = {self.db.param}',
                      (ticket_id,)).fetchone()
        return None if row is None else int(row[0])

    def add_to_ticket(self, ticket_id: int, draft: MessageDraft, *,
                      customer_reply: bool) -> IntakeWritten:
        """An incoming message on a ticket: a customer's reply (which may reopen the ticket or
        start a new one, as TicketRecords.customer_replied) or an automatic mail (never)."""
        if draft.problems():
            raise InvalidInput("; ".join(draft.problems()))
        row = run_sql(self.db, self._ticket_sql, (ticket_id,)).fetchone()
        if row is None:
            raise NotFound(f"ticket id {ticket_id} does not exist")
        action = None
        if customer_reply:
            action = on_customer_reply(TicketStatus(row[2])).action
            if action is not ReplyAction.KEEP:
                # Rare: a status change with its SLA clocks, done by the ticket book itself.
                written = self.records.customer_replied(ticket_id, draft)
                assert written.message is not None
                return IntakeWritten(written.ticket.id, written.message.id, written.events,
                                     written.action)
        now = self.clock.now()
        stored_now = self._stored_time(now)
        message_id = self._insert_message(ticket_id, draft, stored_now)
        run_sql(self.db, self._touch_sql, (stored_now.value, ticket_id))
        event = self._message_event(ticket_id, row[3], message_id, draft, now)
        return IntakeWritten(ticket_id, message_id, (event,), action)

    def add_attachments(self, message_id: int, rows: list[AttachmentRow]) -> None:
        """The attachment rows of a message."""
        for row in rows:
            self._attachment.insert(message=message_id, filename=row.filename[:255],
                                    content_type=row.content_type[:255], size=row.size,
                                    sha256=row.sha256)

    def _next_number(self) -> int:
        return next_ticket_number(self.db)

    def _insert_ticket(self, number: int, subject: str, customer_id: int | None,
                       draft: MessageDraft) -> IntakeWritten:
        now = self.clock.now()
        stored_now = self._stored_time(now)
        priority = Priority.NORMAL
        sla = start_sla(priority, now, self.records.policy, self.records.calendar)
        ticket_id = self._ticket.insert(
            number=number, channel="email", subject=subject, status=TicketStatus.NEW.value,
            priority=priority.value, customer=customer_id, created_at=stored_now,
            updated_at=stored_now, **sla_columns(sla))
        message_id = self._insert_message(ticket_id, draft, stored_now)
        created = TicketCreated(at=now, number=number, channel="email", subject=subject,
                                priority=priority.value, ticket_id=ticket_id,
                                customer_id=customer_id, agent_id=None)
        added = self._message_event(ticket_id, customer_id, message_id, draft, now)
        return IntakeWritten(ticket_id, message_id, (created, added))

    def _stored_time(self, when: datetime) -> Stored:
        """A time as its columns store it, converted once for all of them."""
        value = Ticket.updated_at.db_value(when)
        if not self._postgres and isinstance(value, datetime):
            value = value.isoformat(" ")  # what sqlite3's datetime adapter would bind
        return Stored(value)

    def _insert_message(self, ticket_id: int, draft: MessageDraft, now: Stored) -> int:
        return self._message.insert(
            ticket=ticket_id, channel=draft.channel, direction=draft.direction,
            author=draft.author_id, sender=draft.sender, recipients=draft.recipients,
            subject=draft.subject, body_text=draft.body_text, body_html=draft.body_html,
            message_id=draft.message_id, in_reply_to=draft.in_reply_to, created_at=now)

    def _message_event(self, ticket_id: int, customer_id: int | None, message_id: int,
                       draft: MessageDraft, now: datetime) -> MessageAdded:
        return MessageAdded(at=now, message_id=message_id, channel=draft.channel,
                            direction=draft.direction, ticket_id=ticket_id,
                            customer_id=customer_id, agent_id=draft.author_id)
