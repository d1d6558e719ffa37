"""Whom an answer on a ticket goes to: the mail's sender, the customer's number. Blocking."""

from __future__ import annotations

from appliance.store.errors import InvalidInput
from appliance.store.models import ContactPoint, Message, Ticket


def latest_customer_mail(ticket: Ticket | int) -> Message | None:
    """The ticket's latest mail from outside (its sender, To and Cc, text), if any."""
    found: Message | None = (Message.select()
                             .where((Message.ticket == ticket) & (Message.direction == "in")
                                    & (Message.channel == "email") & (Message.sender != ""))
                             .order_by(Message.id.desc()).first())
    return found


def email_to_answer(ticket: Ticket) -> str:
    """The sender of the latest inbound mail, else a working address of the customer."""
    latest = latest_customer_mail(ticket)
    if latest is not None:
        return str(latest.sender)
    return _working_contact(ticket, "email", "an email address to reply to")


def phone_to_answer(ticket: Ticket) -> str:
    """A working phone number of the ticket's customer, for an SMS."""
    return _working_contact(ticket, "phone", "a phone number to send an SMS to")


def _working_contact(ticket: Ticket, kind: str, what: str) -> str:
    contact = (ContactPoint.select()
               .where((ContactPoint.customer == ticket.customer) & (ContactPoint.kind == kind)
                      & (ContactPoint.failing == False))  # noqa: E712
               .first()) if ticket.customer_id else None
    if contact is None:
        raise InvalidInput(f"ticket #{ticket.number} has no {what}")
    return str(contact.value)
