"""What an agent does to a ticket from the web: take, reply, note, status, assign, merge.

Every write goes through the ticket book (one transaction, events after
commit) or, for replies by mail, through the mail part's outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from appliance.ports.lines import SmsParts
from appliance.ports.mail_desk import ReplyDraft
from appliance.store.attachment_folder import attachments_dir
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.message_files import keep_files
from appliance.store.models import Agent, Ticket
from appliance.store.notice_choices import active_agents
from appliance.store.reply_addresses import email_to_answer, phone_to_answer
from appliance.store.reply_identity import reply_identity
from appliance.store.tickets import MessageDraft
from appliance.tickets import Priority
from appliance.tickets.mentions import mentioned
from appliance.tickets.reply_files import ReplyFile
from appliance.web.frame.sessions import SignedIn
from appliance.web.frame.store_backend import StoreWebBackend
from appliance.web.tickets.ticket_reads import ticket_by_number

if TYPE_CHECKING:
    pass

log = logging.getLogger("aspa.web")

BODY_MAX_CHARS = 50_000
SUBJECT_MAX_CHARS = 500  # the column's size (Ticket.subject)
NEW_TICKET_CHANNELS = ("email", "sms", "call", "callback", "web")
SMS_CARRIES_NO_FILES = "an SMS carries neither copies nor files"


@dataclass(frozen=True, slots=True)
class ReplyResult:
    """How a reply left the box: sent through the outbox, or only stored (nothing to send it)."""

    message_id: int
    queued_for_sending: bool
    recipient: str
    problem: str = ""  # why it was not sent, when a sender tried and failed
    sms_parts: SmsParts | None = None  # an SMS: how it went (or would go) out


async def take_next(backend: StoreWebBackend, who: SignedIn) -> int:
    """Give the agent the next ticket the core's rules allow; its number.

    WorkRefused (busy, away, ringing, on a call, in wrap-up) or NothingToTake otherwise.
    """
    return await backend.board.take_next(who.agent_id)


async def ticket_id(backend: StoreWebBackend, number: int) -> int:
    ticket = await backend.store.call(ticket_by_number, number)
    return int(ticket.id)


async def reply(backend: StoreWebBackend, who: SignedIn, number: int, channel: str,
                body: str, *, cc: Sequence[str] = (), files: Sequence[ReplyFile] = (),
                box_language: str = "fi") -> ReplyResult:
    """Answer the customer by email (with copies and checked files) or SMS; the reply is
    stored on the ticket either way."""
    if not body.strip():
        raise InvalidInput("the reply is empty")
    if channel == "sms" and (cc or files):
        raise InvalidInput(SMS_CARRIES_NO_FILES)
    if files and backend.data_dir is None:
        raise InvalidInput("this box keeps no files: send the reply without them")
    tid = await ticket_id(backend, number)
    mail = backend.mail
    if channel == "email" and mail is not None and mail.sends_mail:
        identity = await backend.store.call(reply_identity, who.agent_id)
        message_id, recipients = await mail.queue_reply(tid, ReplyDraft(
            body=body, author_id=who.agent_id, sender_name=identity.sender_name,
            signature=identity.signature, cc=tuple(cc), files=tuple(files),
            box_language=box_language, zone=backend.zone))
        return ReplyResult(message_id, True, recipients)
    # Without a sender for this channel here the reply is kept as an outgoing message on
    # the ticket, so it is not lost and shows as "not sent".
    answer_to = email_to_answer if channel == "email" else phone_to_answer
    recipient = await backend.store.call(lambda: answer_to(Ticket.get_by_id(tid)))
    message = await backend.tickets.add_message(tid, MessageDraft(
        channel=channel, direction="out", body_text=body,
        recipients=", ".join([recipient, *cc]), author_id=who.agent_id))
    if files and backend.data_dir is not None:
        root = attachments_dir(backend.data_dir)
        await backend.store.call(keep_files, root, int(message.id), list(files))
    if channel != "sms" or backend.lines is None:
        return ReplyResult(int(message.id), False, recipient)
    parts = backend.lines.sms_parts(body)
    try:
        await backend.lines.send_sms(recipient, body)
    except Exception as error:  # the modem's errors are many; the agent needs the words
        log.warning("SMS reply on ticket #%d not sent: %s", number, error)
        return ReplyResult(int(message.id), False, recipient, problem=str(error) or
                           type(error).__name__, sms_parts=parts)
    return ReplyResult(int(message.id), True, recipient, sms_parts=parts)


def _mentioned(body: str) -> list[tuple[int, str]]:
    """(id, login) of the active agents the note mentions, by @login or @Name."""
    if "@" not in body:
        return []
    agents = active_agents()
    return [(agent_id, agents[agent_id][0]) for agent_id in sorted(mentioned(body, agents))]


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


async def set_pending(backend: StoreWebBackend, who: SignedIn, number: int, until: datetime,
                      reason: str) -> datetime:
    """Out of the queue until `until` (or the next opening), for `reason`; the switchboard
    brings it back then. When it comes back."""
    ticket = await backend.tickets.set_pending(await ticket_id(backend, number), until, reason,
                                               by=who.agent_id)
    back_at: datetime = ticket.pending_until
    return back_at


async def assign(backend: StoreWebBackend, who: SignedIn, number: int,
                 agent_id: int | None) -> None:
    await backend.tickets.assign(await ticket_id(backend, number), agent_id, by=who.agent_id)


async def set_priority(backend: StoreWebBackend, who: SignedIn, number: int,
                       priority: str) -> None:
    """A new priority: its SLA due times follow, so an urgent ticket moves up the queue."""
    allowed = [p.value for p in Priority]
    if priority not in allowed:
        raise InvalidInput(f"priority must be one of {', '.join(allowed)}")
    await backend.tickets.set_priority(await ticket_id(backend, number), priority,
                                       by=who.agent_id)


async def merge(backend: StoreWebBackend, who: SignedIn, number: int, into_number: int) -> None:
    """Merge ticket `number` into `into_number`: its messages show there, it is closed."""
    if number == into_number:
        raise InvalidInput("a ticket cannot be merged into itself")
    source = await ticket_id(backend, number)
    target = await ticket_id(backend, into_number)
    await backend.tickets.merge(source, target, by=who.agent_id)


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
