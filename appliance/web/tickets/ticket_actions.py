"""What an agent does to a ticket from the web: take, reply, note, status, assign, merge.

Every write goes through the ticket book (one transaction, events after
commit) or, for replies by mail, through the mail part's outbox.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from appliance.presence.channel import Channel
from appliance.spine.clock import Clock
from appliance.spine.events import MessageAdded
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent, AgentTeam, ContactPoint, Ticket
from appliance.store.tickets import MessageDraft
from appliance.switchboard.open_work import file_ticket, read_open_item, ticket_id_of
from appliance.tickets import Priority, TicketStatus
from appliance.web.frame.sessions import SignedIn
from appliance.web.frame.store_backend import StoreWebBackend
from appliance.web.tickets.ticket_reads import ticket_by_number

if TYPE_CHECKING:
    from appliance.config.sections.mail import SmtpSettings

log = logging.getLogger("aspa.web")

BODY_MAX_CHARS = 50_000
SUBJECT_MAX_CHARS = 500  # the column's size (Ticket.subject)
NEW_TICKET_CHANNELS = ("email", "sms", "call", "callback", "web")
MENTION = re.compile(r"(?<![\w@])@([\w.\-]{1,100})")


@dataclass(frozen=True, slots=True)
class ReplyResult:
    """How a reply left the box: sent through the outbox, or only stored (nothing to send it)."""

    message_id: int
    queued_for_sending: bool
    recipient: str
    problem: str = ""  # why it was not sent, when a sender tried and failed


def _team_ids(agent_id: int) -> set[int]:
    query = AgentTeam.select(AgentTeam.team).where(AgentTeam.agent == agent_id).tuples()
    return {team for (team,) in cast(Iterable[tuple[int]], query)}


async def take_next(backend: StoreWebBackend, who: SignedIn) -> int | None:
    """Give the agent the first ticket in queue order they may take; its number, or None.

    Live calls are answered on the phone, not here, so they are passed over.
    """
    teams = await backend.store.call(_team_ids, who.agent_id)
    for item in list(backend.core.queue):
        if item.kind is Channel.CALL:
            continue
        if item.assignee_id not in (None, who.agent_id):
            continue
        if item.team_id is not None and item.team_id not in teams:
            continue
        ticket_id = ticket_id_of(item.id)
        if ticket_id is None:
            continue
        ticket = await backend.tickets.assign(ticket_id, who.agent_id, by=who.agent_id)
        if ticket.status == TicketStatus.NEW.value:
            ticket = await backend.tickets.change_status(ticket_id, "open", by=who.agent_id)
        return int(ticket.number)
    return None


async def ticket_id(backend: StoreWebBackend, number: int) -> int:
    ticket = await backend.store.call(ticket_by_number, number)
    return int(ticket.id)


def _sms_number(ticket_id: int) -> str:
    ticket = Ticket.get_by_id(ticket_id)
    contact = (ContactPoint.select().where((ContactPoint.customer == ticket.customer)
                                           & (ContactPoint.kind == "phone")
                                           & (ContactPoint.failing == False))  # noqa: E712
               .first()) if ticket.customer_id else None
    if contact is None:
        raise InvalidInput(f"ticket #{ticket.number} has no phone number to send an SMS to")
    return str(contact.value)


def _queue_mail_reply(tid: int, body: str, smtp: SmtpSettings, clock: Clock,
                      who: SignedIn) -> tuple[int, str]:
    """Store the reply and queue it for SMTP (appliance.mail.replies); its message id."""
    from appliance.mail.replies import queue_reply

    outgoing = queue_reply(tid, body, settings=smtp, clock=clock, author_id=who.agent_id,
                           sender_name=who.name)
    assert outgoing.message is not None  # queue_reply always links the stored reply
    return int(outgoing.message.id), str(outgoing.recipients)


def _email_address(ticket_id: int) -> str:
    from appliance.mail.replies import customer_address

    return customer_address(Ticket.get_by_id(ticket_id))


async def reply(backend: StoreWebBackend, who: SignedIn, number: int, channel: str,
                body: str) -> ReplyResult:
    """Answer the customer by email or SMS; the reply is stored on the ticket either way."""
    if not body.strip():
        raise InvalidInput("the reply is empty")
    tid = await ticket_id(backend, number)
    smtp = backend.smtp
    if channel == "email" and smtp is not None and smtp.from_address:
        message_id, recipients = await backend.store.call(
            _queue_mail_reply, tid, body, smtp, backend.clock, who)
        backend.bus.publish(MessageAdded(at=backend.clock.now(), message_id=message_id,
                                         channel="email", direction="out", ticket_id=tid,
                                         agent_id=who.agent_id))
        await _refile(backend, tid)
        return ReplyResult(message_id, True, recipients)
    # Without a sender for this channel here the reply is kept as an outgoing message on
    # the ticket, so it is not lost and shows as "not sent".
    lookup = _email_address if channel == "email" else _sms_number
    recipient = await backend.store.call(lookup, tid)
    message = await backend.tickets.add_message(tid, MessageDraft(
        channel=channel, direction="out", body_text=body, recipients=recipient,
        author_id=who.agent_id))
    if channel != "sms" or backend.sms_sender is None:
        return ReplyResult(int(message.id), False, recipient)
    try:
        await backend.sms_sender(recipient, body)
    except Exception as error:  # the modem's errors are many; the agent needs the words
        log.warning("SMS reply on ticket #%d not sent: %s", number, error)
        return ReplyResult(int(message.id), False, recipient, problem=str(error) or
                           type(error).__name__)
    return ReplyResult(int(message.id), True, recipient)


async def _refile(backend: StoreWebBackend, tid: int) -> None:
    item = await backend.store.call(read_open_item, tid)
    file_ticket(backend.core.queue, tid, item)


def _mentioned(body: str) -> list[tuple[int, str]]:
    logins = {m.lower() for m in MENTION.findall(body)}
    if not logins:
        return []
    query = (Agent.select(Agent.id, Agent.login)
             .where(Agent.login.in_(sorted(logins)) & (Agent.active == True)).tuples())  # noqa: E712
    return list(cast(Iterable[tuple[int, str]], query))


async def add_note(backend: StoreWebBackend, who: SignedIn, number: int,
                   body: str) -> tuple[int, list[int]]:
    """An internal note; returns its message id and the agents it @mentions."""
    if not body.strip():
        raise InvalidInput("the note is empty")
    tid = await ticket_id(backend, number)
    mentioned = await backend.store.call(_mentioned, body)
    message = await backend.tickets.add_message(tid, MessageDraft(
        channel="note", direction="internal", body_text=body, author_id=who.agent_id,
        recipients=", ".join(f"@{login}" for _, login in mentioned)))
    return int(message.id), [agent_id for agent_id, _ in mentioned]


async def set_status(backend: StoreWebBackend, who: SignedIn, number: int, status: str) -> None:
    await backend.tickets.change_status(await ticket_id(backend, number), status,
                                        by=who.agent_id)


async def assign(backend: StoreWebBackend, who: SignedIn, number: int,
                 agent_id: int | None) -> None:
    await backend.tickets.assign(await ticket_id(backend, number), agent_id, by=who.agent_id)


def _write_priority(tid: int, priority: str) -> None:
    with Ticket._meta.database.atomic():
        Ticket.update(priority=priority).where(Ticket.id == tid).execute()


async def set_priority(backend: StoreWebBackend, number: int, priority: str) -> None:
    """A new priority re-orders the queue; the SLA due times stay as set when it opened."""
    allowed = [p.value for p in Priority]
    if priority not in allowed:
        raise InvalidInput(f"priority must be one of {', '.join(allowed)}")
    tid = await ticket_id(backend, number)
    await backend.store.call(_write_priority, tid, priority)
    await _refile(backend, tid)


def _mark_merged(source_id: int, target_id: int) -> None:
    with Ticket._meta.database.atomic():
        Ticket.update(merged_into=target_id).where(Ticket.id == source_id).execute()


async def merge(backend: StoreWebBackend, who: SignedIn, number: int, into_number: int) -> None:
    """Merge ticket `number` into `into_number`: its messages show there, it is closed."""
    if number == into_number:
        raise InvalidInput("a ticket cannot be merged into itself")
    source = await backend.store.call(ticket_by_number, number)
    target = await backend.store.call(ticket_by_number, into_number)
    if target.merged_into_id is not None:
        raise InvalidInput(f"ticket #{into_number} is itself merged; merge into the ticket it "
                           "went into")
    if source.merged_into_id is not None:
        raise InvalidInput(f"ticket #{number} is already merged")
    await backend.store.call(_mark_merged, source.id, target.id)
    await backend.tickets.add_message(target.id, MessageDraft(
        channel="note", direction="internal", author_id=who.agent_id,
        body_text=f"Ticket #{number} was merged into this one."))
    if source.status != TicketStatus.CLOSED.value:
        await backend.tickets.change_status(source.id, "closed", by=who.agent_id)
    await _refile(backend, source.id)


async def agent_exists(backend: StoreWebBackend, agent_id: int) -> None:
    found = await backend.store.call(
        lambda: Agent.select().where((Agent.id == agent_id) & (Agent.active == True))  # noqa: E712
        .exists())
    if not found:
        raise NotFound(f"agent {agent_id} does not exist")


async def create(backend: StoreWebBackend, who: SignedIn, channel: str, subject: str,
                 body: str, customer_id: int | None, priority: str) -> int:
    """A new ticket with the agent's text as its first (internal) message; its number."""
    draft = MessageDraft(channel="note", direction="internal", body_text=body,
                         author_id=who.agent_id) if body else None
    ticket = await backend.tickets.open_ticket(channel, subject, customer_id, priority,
                                               message=draft)
    return int(ticket.number)
