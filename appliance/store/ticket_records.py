"""Ticket writes, each one transaction, each returning the events to publish after commit.

Blocking; `TicketBook` runs these in the store thread and publishes the events
once the transaction has committed, so no subscriber hears of a row that a
rollback took back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, cast

import peewee as pw

from appliance.spine.clock import Clock
from appliance.spine.events import (
    Event,
    MessageAdded,
    TicketAssigned,
    TicketCreated,
    TicketCustomerChanged,
    TicketMerged,
    TicketPendingSet,
    TicketPriorityChanged,
    TicketReturned,
    TicketStatusChanged,
)
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, Customer, Message, Team, Ticket
from appliance.store.ticket_numbers import next_ticket_number
from appliance.store.ticket_sla_columns import sla_columns, sla_of
from appliance.tickets import (
    BusinessCalendar,
    Priority,
    ReplyAction,
    SlaPolicy,
    TicketStatus,
    first_response_sent,
    move,
    on_customer_reply,
    priority_changed,
    start_sla,
    status_changed,
)

NUMBER_ATTEMPTS = 50  # concurrent writers on PostgreSQL may pick the same number; retry
CHANNELS = ("email", "sms", "call", "callback", "web")
MESSAGE_CHANNELS = ("email", "sms", "note", "call", "web")
DIRECTIONS = ("in", "out", "internal")
PAGE_MAX = 500  # the most rows one listing returns
PENDING_REASON_MAX_CHARS = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDraft:
    """A message to add to a ticket."""

    channel: str
    direction: str
    body_text: str = ""
    subject: str = ""
    sender: str = ""
    recipients: str = ""
    body_html: str | None = None
    message_id: str | None = None  # RFC 5322 Message-ID, for threading and dedupe
    in_reply_to: str | None = None
    author_id: int | None = None

    def problems(self) -> list[str]:
        """What is wrong with the draft, if anything."""
        wrong = []
        if self.channel not in MESSAGE_CHANNELS:
            wrong.append(f"channel must be one of {', '.join(MESSAGE_CHANNELS)}")
        if self.direction not in DIRECTIONS:
            wrong.append(f"direction must be one of {', '.join(DIRECTIONS)}")
        return wrong


@dataclass(frozen=True, slots=True)
class Written:
    """What a write made and the events to publish once it has committed."""

    ticket: Ticket
    message: Message | None
    events: tuple[Event, ...]
    action: ReplyAction | None = None


class TicketRecords:
    """Ticket writes and reads, following the lifecycle and SLA rules of appliance.tickets."""

    def __init__(
        self,
        db: pw.Database,
        clock: Clock,
        *,
        policy: SlaPolicy | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or SlaPolicy()
        self.calendar = calendar or BusinessCalendar.twenty_four_seven()

    # --- writes -------------------------------------------------------------

    def open_ticket(
        self,
        channel: str,
        subject: str = "",
        customer_id: int | None = None,
        priority: str = "normal",
        *,
        team_id: int | None = None,
        assignee_id: int | None = None,
        message: MessageDraft | None = None,
    ) -> Written:
        """A new ticket with the next human number, and its first message if given."""
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        level = _priority(priority)
        self._check_exists(Customer, customer_id, "customer")
        self._check_exists(Team, team_id, "team")
        self._check_exists(Agent, assignee_id, "agent")
        if message is not None and message.problems():
            raise InvalidInput("; ".join(message.problems()))
        for _ in range(NUMBER_ATTEMPTS):
            number = 0
            try:
                with self.db.atomic():
                    number = self._next_number()
                    return self._insert_ticket(
                        number, channel, subject, customer_id, level, team_id, assignee_id,
                        message,
                    )
            except pw.IntegrityError:
                if not Ticket.select().where(Ticket.number == number).exists():
                    raise
                # another writer took this number between our look-up and insert
        raise InvalidInput(f"no free ticket number after {NUMBER_ATTEMPTS} attempts")

    def add_message(self, ticket_id: int, draft: MessageDraft) -> Written:
        """Add a message; an agent's first reply stops the first-response clock."""
        if draft.problems():
            raise InvalidInput("; ".join(draft.problems()))
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            message = self._insert_message(ticket, draft)
        return Written(ticket, message, (self._message_event(ticket, message),))

    def change_status(self, ticket_id: int, new_status: str, *, by: int | None = None) -> Written:
        """Move a ticket in its lifecycle (TransitionError if the move is not allowed)."""
        target = _status(new_status)
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = TicketStatus(ticket.status)
            if old is target:
                return Written(ticket, None, ())
            self._set_status(ticket, old, target)
        event = TicketStatusChanged(
            at=self.clock.now(), number=ticket.number, old_status=old.value,
            new_status=target.value, **_ids(ticket, by),
        )
        return Written(ticket, None, (event,))

    def assign(self, ticket_id: int, agent_id: int | None, *, by: int | None = None) -> Written:
        """Give a ticket to an agent, or take it back (None)."""
        self._check_exists(Agent, agent_id, "agent")
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            if ticket.assignee_id == agent_id:
                return Written(ticket, None, ())
            ticket.assignee_id = agent_id
            ticket.updated_at = self.clock.now()
            ticket.save(only=[Ticket.assignee, Ticket.updated_at])
        event = TicketAssigned(
            at=self.clock.now(), number=ticket.number, assignee_id=agent_id, **_ids(ticket, by)
        )
        return Written(ticket, None, (event,))

    def set_priority(self, ticket_id: int, priority: str, *, by: int | None = None) -> Written:
        """A new priority; the SLA due times follow its targets (time used still counts)."""
        level = _priority(priority)
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = ticket.priority
            if old == level.value:
                return Written(ticket, None, ())
            now = self.clock.now()
            sla = priority_changed(sla_of(ticket, self.policy), level, now, self.policy,
                                   self.calendar)
            changes: dict[str, Any] = {"priority": level.value, "updated_at": now,
                                       **sla_columns(sla)}
            for name, value in changes.items():
                setattr(ticket, name, value)
            ticket.save(only=[getattr(Ticket, name) for name in changes])
        event = TicketPriorityChanged(at=self.clock.now(), number=ticket.number,
                                      old_priority=old, new_priority=level.value,
                                      **_ids(ticket, by))
        return Written(ticket, None, (event,))

    def merge(self, source_id: int, target_id: int, *, by: int | None = None) -> Written:
        """Merge one ticket into another: a note on the target, the source closed and linked."""
        if source_id == target_id:
            raise InvalidInput("a ticket cannot be merged into itself")
        with self.db.atomic():
            source = self._ticket_for_update(source_id)
            target = self._ticket_for_update(target_id)
            if target.merged_into_id is not None:
                raise InvalidInput(f"ticket #{target.number} is itself merged; merge into the "
                                   "ticket it went into")
            if source.merged_into_id is not None:
                raise InvalidInput(f"ticket #{source.number} is already merged")
            events: list[Event] = []
            old = TicketStatus(source.status)
            if old is not TicketStatus.CLOSED:
                self._set_status(source, old, TicketStatus.CLOSED)
                events.append(TicketStatusChanged(
                    at=self.clock.now(), number=source.number, old_status=old.value,
                    new_status=TicketStatus.CLOSED.value, **_ids(source, by)))
            source.merged_into_id = target.id
            source.save(only=[Ticket.merged_into])
            note = self._insert_message(target, MessageDraft(
                channel="note", direction="internal", author_id=by,
                body_text=f"Ticket #{source.number} was merged into this one."))
        events.append(TicketMerged(at=self.clock.now(), number=source.number,
                                   into_ticket_id=target.id, into_number=target.number,
                                   **_ids(source, by)))
        events.append(self._message_event(target, note))
        return Written(source, note, tuple(events))

    def set_customer(self, ticket_id: int, customer_id: int | None, *,
                     by: int | None = None) -> Written:
        """The ticket belongs to this customer now (or to none)."""
        self._check_exists(Customer, customer_id, "customer")
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = ticket.customer_id
            if old == customer_id:
                return Written(ticket, None, ())
            ticket.customer_id = customer_id
            ticket.updated_at = self.clock.now()
            ticket.save(only=[Ticket.customer, Ticket.updated_at])
        event = TicketCustomerChanged(at=self.clock.now(), number=ticket.number,
                                      old_customer_id=old, **_ids(ticket, by))
        return Written(ticket, None, (event,))

    def customer_replied(self, ticket_id: int, draft: MessageDraft) -> Written:
        """A customer's reply: kept on an active ticket, reopens a pending or resolved one,
        and starts a new ticket when the old one is closed."""
        if draft.problems():
            raise InvalidInput("; ".join(draft.problems()))
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = TicketStatus(ticket.status)
            decision = on_customer_reply(old)
            if decision.action is ReplyAction.NEW_TICKET:
                written = self.open_ticket(
                    ticket.channel, ticket.subject, ticket.customer_id, ticket.priority,
                    team_id=ticket.team_id, message=draft,
                )
                return Written(written.ticket, written.message, written.events, decision.action)
            events: list[Event] = []
            if decision.action is ReplyAction.REOPEN:
                self._set_status(ticket, old, decision.status)
                events.append(TicketStatusChanged(
                    at=self.clock.now(), number=ticket.number, old_status=old.value,
                    new_status=decision.status.value, **_ids(ticket, None),
                ))
                if old is TicketStatus.PENDING:  # back at once, not at the pending time
                    events.append(TicketReturned(
                        at=self.clock.now(), number=ticket.number, why="reply",
                        assignee_id=ticket.assignee_id, **_ids(ticket, None)))
            message = self._insert_message(ticket, draft)
        events.append(self._message_event(ticket, message))
        return Written(ticket, message, tuple(events), decision.action)

    def set_pending(self, ticket_id: int, until: datetime, reason: str, *,
                    by: int | None = None) -> Written:
        """The ticket waits until a time (the next opening, if the office is closed then),
        for a reason; it comes back then (`return_pending`) or at once when the customer
        writes."""
        reason = reason.strip()
        if until.tzinfo is None:
            raise InvalidInput("the return time needs a time zone")
        if until <= self.clock.now():
            raise InvalidInput("the return time must be in the future")
        if len(reason) > PENDING_REASON_MAX_CHARS:
            raise InvalidInput(f"the reason is too long: at most {PENDING_REASON_MAX_CHARS} "
                               f"characters")
        # business hours respected: a time when the office is closed means its next opening
        until = self.calendar.next_open(until)
        events: list[Event] = []
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = TicketStatus(ticket.status)
            if old is not TicketStatus.PENDING:
                self._set_status(ticket, old, TicketStatus.PENDING)
                events.append(TicketStatusChanged(
                    at=self.clock.now(), number=ticket.number, old_status=old.value,
                    new_status=TicketStatus.PENDING.value, **_ids(ticket, by)))
            ticket.pending_until = until
            ticket.pending_reason = reason
            ticket.save(only=[Ticket.pending_until, Ticket.pending_reason])
        events.append(TicketPendingSet(at=self.clock.now(), number=ticket.number, until=until,
                                       reason=reason, **_ids(ticket, by)))
        return Written(ticket, None, tuple(events))

    def due_pending(self) -> list[int]:
        """The ids of the pending tickets whose time has come, earliest first."""
        query = (Ticket.select(Ticket.id)
                 .where((Ticket.status == TicketStatus.PENDING.value)
                        & (Ticket.pending_until <= self.clock.now()))
                 .order_by(Ticket.pending_until, Ticket.id).tuples())
        return [row[0] for row in cast(Iterable[tuple[int]], query)]

    def return_pending(self, ticket_id: int) -> Written:
        """A pending ticket whose time has come goes back to open work; others stay."""
        with self.db.atomic():
            ticket = self._ticket_for_update(ticket_id)
            old = TicketStatus(ticket.status)
            due = ticket.pending_until is not None and ticket.pending_until <= self.clock.now()
            if old is not TicketStatus.PENDING or not due:
                return Written(ticket, None, ())
            self._set_status(ticket, old, TicketStatus.OPEN)
        now = self.clock.now()
        return Written(ticket, None, (
            TicketStatusChanged(at=now, number=ticket.number, old_status=old.value,
                                new_status=TicketStatus.OPEN.value, **_ids(ticket, None)),
            TicketReturned(at=now, number=ticket.number, why="time",
                           assignee_id=ticket.assignee_id, **_ids(ticket, None)),
        ))

    # --- reads ----------------------------------------------------------------

    def get(self, ticket_id: int) -> Ticket:
        """The ticket with this id, or NotFound."""
        ticket = Ticket.get_or_none(Ticket.id == ticket_id)
        if ticket is None:
            raise NotFound(f"ticket id {ticket_id} does not exist")
        return ticket

    def by_number(self, number: int) -> Ticket | None:
        """The ticket with this human number (#1042 → 1042), if any."""
        return Ticket.get_or_none(Ticket.number == number)

    def by_message_id(self, message_id: str) -> Ticket | None:
        """The ticket holding a message with this Message-ID, for threading replies."""
        found: Ticket | None = (
            Ticket.select().join(Message).where(Message.message_id == message_id).first()
        )
        return found

    def page(
        self,
        *,
        status: str | None = None,
        assignee_id: int | None = None,
        customer_id: int | None = None,
        below_number: int | None = None,
        limit: int = 50,
    ) -> list[Ticket]:
        """Newest tickets first, `limit` at a time; pass the last number to get the next page."""
        query = Ticket.select()
        if status is not None:
            query = query.where(Ticket.status == _status(status).value)
        if assignee_id is not None:
            query = query.where(Ticket.assignee == assignee_id)
        if customer_id is not None:
            query = query.where(Ticket.customer == customer_id)
        if below_number is not None:
            query = query.where(Ticket.number < below_number)
        return list(query.order_by(Ticket.number.desc()).limit(max(1, min(limit, PAGE_MAX))))

    def messages(
        self, ticket_id: int, *, after_id: int | None = None, limit: int = 100
    ) -> list[Message]:
        """A ticket's messages, oldest first, `limit` at a time; pass the last id on."""
        query = Message.select().where(Message.ticket == ticket_id)
        if after_id is not None:
            query = query.where(Message.id > after_id)
        return list(query.order_by(Message.id).limit(max(1, min(limit, PAGE_MAX))))

    # --- inside a transaction -------------------------------------------------------

    def _next_number(self) -> int:
        return next_ticket_number(self.db)

    def _insert_ticket(
        self, number: int, channel: str, subject: str, customer_id: int | None,
        priority: Priority, team_id: int | None, assignee_id: int | None,
        draft: MessageDraft | None,
    ) -> Written:
        now = self.clock.now()
        sla = start_sla(priority, now, self.policy, self.calendar)
        ticket = Ticket.create(
            number=number, channel=channel, subject=subject, status=TicketStatus.NEW.value,
            priority=priority.value, customer=customer_id, team=team_id, assignee=assignee_id,
            created_at=now, updated_at=now, **sla_columns(sla),
        )
        events: list[Event] = [TicketCreated(
            at=now, number=number, channel=channel, subject=subject, priority=priority.value,
            **_ids(ticket, None),
        )]
        message = None
        if draft is not None:
            message = self._insert_message(ticket, draft)
            events.append(self._message_event(ticket, message))
        return Written(ticket, message, tuple(events))

    def _ticket_for_update(self, ticket_id: int) -> Ticket:
        query = Ticket.select().where(Ticket.id == ticket_id)
        if isinstance(self.db, pw.PostgresqlDatabase):
            query = query.for_update()  # SQLite's BEGIN IMMEDIATE already serialises writers
        ticket: Ticket | None = query.first()
        if ticket is None:
            raise NotFound(f"ticket id {ticket_id} does not exist")
        return ticket

    def _set_status(self, ticket: Ticket, old: TicketStatus, new: TicketStatus) -> None:
        move(old, new)
        now = self.clock.now()
        sla = status_changed(sla_of(ticket, self.policy), new, now, self.calendar)
        changes: dict[str, Any] = {"status": new.value, "updated_at": now, **sla_columns(sla)}
        changes["sla_paused_at"] = None if changes["sla_running_since"] else now
        if new is TicketStatus.RESOLVED:
            changes["resolved_at"] = now
        elif new is TicketStatus.CLOSED:
            changes["closed_at"] = now
            changes["resolved_at"] = ticket.resolved_at or now
        elif new is TicketStatus.OPEN:
            changes["resolved_at"] = None  # open work again, as far as service debt goes
        if new is not TicketStatus.PENDING:
            changes["pending_until"] = None  # no longer waiting: nothing to bring back
            changes["pending_reason"] = ""
        for name, value in changes.items():
            setattr(ticket, name, value)
        ticket.save(only=[getattr(Ticket, name) for name in changes])

    def _insert_message(self, ticket: Ticket, draft: MessageDraft) -> Message:
        self._check_exists(Agent, draft.author_id, "agent")
        now = self.clock.now()
        message = Message.create(
            ticket=ticket.id, channel=draft.channel, direction=draft.direction,
            author=draft.author_id, sender=draft.sender, recipients=draft.recipients,
            subject=draft.subject, body_text=draft.body_text, body_html=draft.body_html,
            message_id=draft.message_id, in_reply_to=draft.in_reply_to, created_at=now,
        )
        changes: dict[str, Any] = {"updated_at": now}
        if draft.direction == "out" and ticket.first_responded_at is None:
            sla = first_response_sent(sla_of(ticket, self.policy), now, self.calendar)
            changes.update(sla_columns(sla), first_responded_at=now)
        for name, value in changes.items():
            setattr(ticket, name, value)
        ticket.save(only=[getattr(Ticket, name) for name in changes])
        return message

    def _message_event(self, ticket: Ticket, message: Message) -> MessageAdded:
        return MessageAdded(
            at=message.created_at, message_id=message.id, channel=message.channel,
            direction=message.direction, **_ids(ticket, message.author_id),
        )

    def _check_exists(self, model: type[pw.Model], row_id: int | None, what: str) -> None:
        key = model._meta.primary_key
        if row_id is not None and not model.select().where(key == row_id).exists():
            raise NotFound(f"{what} {row_id} does not exist")


class _EventIds(TypedDict):
    ticket_id: int | None
    customer_id: int | None
    agent_id: int | None


def _ids(ticket: Ticket, agent_id: int | None) -> _EventIds:
    return {"ticket_id": ticket.id, "customer_id": ticket.customer_id, "agent_id": agent_id}


def _priority(value: str) -> Priority:
    try:
        return Priority(value)
    except ValueError:
        allowed = ", ".join(p.value for p in Priority)
        raise InvalidInput(f"priority must be one of {allowed}, not {value!r}") from None


def _status(value: str) -> TicketStatus:
    try:
        return TicketStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in TicketStatus)
        raise InvalidInput(f"status must be one of {allowed}, not {value!r}") from None
