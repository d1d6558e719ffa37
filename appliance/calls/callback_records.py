"""The store side of callbacks: what to dial, how many tries so far, when the next one is due.

These are blocking calls: on the event loop run them through `StoreWorker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appliance.store.errors import InvalidInput, NotFound
from appliance.store.meta_values import forget_meta, write_meta
from appliance.store.models import Call, ContactPoint, Message, Meta, Ticket

_RETRY_KEY = "callback.retry.{ticket}"
_RETRY_PREFIX = "callback.retry."
# A callback is owed while its ticket is one of these (pending: a retry is scheduled).
OWED_STATUSES = ("new", "open", "pending")


@dataclass(frozen=True)
class CallbackTarget:
    """Whom a callback ticket calls, and its tries so far."""

    ticket_id: int
    number: str
    customer_id: int | None
    attempts: int


def callback_target(ticket_id: int) -> CallbackTarget:
    """The number to call back for a ticket (its customer's first phone, else its calls')."""
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} does not exist")
    if ticket.channel not in ("callback", "call"):
        raise InvalidInput(f"ticket #{ticket.number} is not a callback ({ticket.channel})")
    number = None
    if ticket.customer_id is not None:
        phone = (ContactPoint.select(ContactPoint.value)
                 .where((ContactPoint.customer == ticket.customer_id)
                        & (ContactPoint.kind == "phone") & (ContactPoint.failing == False))  # noqa: E712
                 .order_by(ContactPoint.id).first())
        number = phone.value if phone is not None else None
    if number is None:
        call = (Call.select(Call.number)
                .where((Call.ticket == ticket_id) & Call.number.is_null(False))
                .order_by(Call.id).first())
        number = call.number if call is not None else None
    if not number:
        raise InvalidInput(f"ticket #{ticket.number} has no number to call back")
    attempts = Call.select().where((Call.ticket == ticket_id) & (Call.direction == "out")).count()
    return CallbackTarget(ticket_id, number, ticket.customer_id, attempts)


def save_retry(ticket_id: int, at: datetime | None) -> None:
    """Remember (or forget, with None) when a callback is offered again."""
    key = _RETRY_KEY.format(ticket=ticket_id)
    if at is None:
        forget_meta(key)
    else:
        write_meta(key, at.isoformat())


def pending_retries() -> dict[int, datetime]:
    """ticket id -> when its callback is due again, for every remembered retry."""
    due: dict[int, datetime] = {}
    for row in Meta.select().where(Meta.key.startswith(_RETRY_PREFIX)):
        ticket = row.key[len(_RETRY_PREFIX):]
        try:
            due[int(ticket)] = datetime.fromisoformat(row.value)
        except ValueError:
            continue  # a damaged entry: the ticket is still pending and visible
    return due


@dataclass(frozen=True)
class OwedCallback:
    """A callback ticket still owed to a number: what a further missed call may change."""

    ticket_id: int
    status: str
    priority: str


def open_callback_for(number: str | None) -> OwedCallback | None:
    """The callback ticket still owed to this number, None when there is none.

    The number is the one the callback's first message came from (the caller's, as
    the line gave it); a withheld number matches nothing.
    """
    if not number:
        return None
    row = (Ticket.select(Ticket.id, Ticket.status, Ticket.priority)
           .join(Message, on=(Message.ticket == Ticket.id))
           .where((Ticket.channel == "callback") & Ticket.status.in_(OWED_STATUSES)
                  & Ticket.merged_into.is_null() & (Message.channel == "call")
                  & (Message.direction == "in") & (Message.sender == number))
           .order_by(Ticket.id.desc()).first())
    return None if row is None else OwedCallback(int(row.id), row.status, row.priority)
