"""What the reply form offers: the CC of "reply to all", and an SMS's parts before sending."""

from __future__ import annotations

from aiohttp import web

from appliance.ports.lines import SmsParts
from appliance.store.reply_addresses import latest_customer_mail
from appliance.tickets.reply_copies import reply_all_copies
from appliance.web.frame.app_keys import BACKEND
from appliance.web.tickets.reply_form import outgoing_settings


def _latest_recipients(ticket_id: int) -> tuple[str, list[str]]:
    """(sender, To and Cc) of the ticket's latest mail from outside. Blocking."""
    latest = latest_customer_mail(ticket_id)
    if latest is None:
        return "", []
    return str(latest.sender), [r for r in str(latest.recipients).split(",") if r.strip()]


def own_addresses(request: web.Request) -> set[str]:
    """The box's own addresses: the sender of replies and the mailboxes it reads."""
    backend = request.app[BACKEND]
    own = {outgoing_settings(request).from_address}
    if backend.config is not None:
        own.update(m.user for m in backend.config.mail.mailboxes if m is not None)
    return {a.lower() for a in own if "@" in a}


async def reply_all_cc(request: web.Request, ticket_id: int) -> list[str]:
    """Whom the customer's latest mail also went to, less the customer and the box itself."""
    sender, recipients = await request.app[BACKEND].store.call(_latest_recipients, ticket_id)
    if not sender:
        return []
    return reply_all_copies(recipients, sender, own_addresses(request))


def sms_count(request: web.Request, text: str) -> SmsParts | None:
    """How the typed SMS would go out; None on a box without a GSM line."""
    lines = request.app[BACKEND].lines
    return lines.sms_parts(text) if lines is not None and text else None
