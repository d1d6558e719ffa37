"""Saved replies on the ticket page: offered in the customer's language with their
placeholders filled in for this ticket, inserted by a click or a typed shortcut, and
counted when a reply made with them is sent.

A use is counted when the reply goes out, not when the text is inserted: an insert
that is undone, or a draft left unsent, reached no customer. The page sends the ids
of the saved replies inserted into the draft with the reply (`saved_replies`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from aiohttp import web

from appliance.config.aspa_toml import Config
from appliance.config.service_terms import office_hours
from appliance.store import saved_replies
from appliance.store.saved_replies import USES_COUNTED_MAX, SavedReplyRow
from appliance.tickets.opening_hours_text import opening_hours_text
from appliance.tickets.reply_placeholders import fill_placeholders
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.i18n import LANGUAGES, translator
from appliance.web.frame.sessions import SignedIn
from appliance.web.tickets.ticket_reads import TicketView

SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # catalogue keys


@dataclass(frozen=True, slots=True)
class InsertableReply:
    """A saved reply as this ticket's reply box takes it: placeholders filled in."""

    reply_id: int
    title: str
    shortcut: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class ReplyChoices:
    """What the ticket page offers: the customer's language (and "any") in the picker;
    the others only by their shortcut."""

    language: str
    offered: list[InsertableReply]
    others: list[InsertableReply]


def customer_language(request: web.Request, view: TicketView) -> str:
    """The language to answer in: the customer's, else the box's for customers (box.language)."""
    language = view.customer.language if view.customer is not None else None
    if language in LANGUAGES:
        return str(language)
    config = request.app[BACKEND].config or Config()
    return config.box.language if config.box.language in LANGUAGES else "fi"


def opening_hours(config: Config | None, language: str) -> str:
    """The office's weekly hours in `language`, from the business calendar."""
    t = translator(language)
    calendar = office_hours(config or Config())
    if calendar.always_open:
        return t("open around the clock")

    def clock(moment: time) -> str:
        if language == "fi":  # Finnish writes 8.00, with a point and no leading zero
            return f"{moment.hour}.{moment.minute:02d}"
        return moment.strftime("%H:%M")

    weekly = {day: [(i.start, i.end) for i in calendar.weekly[day]] for day in range(7)}
    text = opening_hours_text(weekly, [t(day) for day in SHORT_DAYS], clock,
                              midnight="24.00" if language == "fi" else "24:00")
    return text or t("closed every day")


def placeholder_values(request: web.Request, view: TicketView, who: SignedIn,
                       language: str) -> dict[str, str | None]:
    customer = view.customer
    return {"customer_name": customer.name if customer is not None else None,
            "ticket_number": str(view.ticket.number), "agent_name": who.name,
            "opening_hours": opening_hours(request.app[BACKEND].config, language)}


def _insertable(row: SavedReplyRow, values: dict[str, dict[str, str | None]],
                customer: str) -> InsertableReply:
    language = row.language if row.language in values else customer
    return InsertableReply(reply_id=row.reply_id, title=row.title, shortcut=row.shortcut or "",
                           kind=row.kind, text=fill_placeholders(row.text, values[language]))


async def reply_choices(request: web.Request, view: TicketView, who: SignedIn) -> ReplyChoices:
    """The saved replies for this ticket's reply box, filled in for it."""
    rows = await request.app[BACKEND].store.call(saved_replies.list_replies)
    language = customer_language(request, view)
    values = {lang: placeholder_values(request, view, who, lang) for lang in LANGUAGES}
    offered = [_insertable(r, values, language) for r in rows if r.language in (language, "any")]
    others = [_insertable(r, values, language) for r in rows
              if r.language not in (language, "any") and r.shortcut]
    return ReplyChoices(language, offered, others)


def inserted_ids(fields: forms.Fields) -> list[int]:
    """The saved replies the draft was made with (`saved_replies`: ids, comma-separated, or a
    JSON list).

    Anything else in the field is ignored: it only counts uses, and the reply must go out.
    """
    raw = fields.get("saved_replies", "")
    if isinstance(raw, list):  # the JSON API may send a list of ids
        parts = [str(part) for part in raw[:USES_COUNTED_MAX] if isinstance(part, int | str)]
    elif isinstance(raw, str):
        parts = raw.split(",")[:USES_COUNTED_MAX]
    else:
        return []
    return sorted({int(part.strip()) for part in parts
                   if part.strip().isdigit() and len(part.strip()) < 12})


async def count_uses(request: web.Request, fields: forms.Fields) -> None:
    """A reply made with these saved replies was sent: one use each."""
    ids = inserted_ids(fields)
    if ids:
        await request.app[BACKEND].store.call(saved_replies.count_uses, ids)


def with_inserted(body: str, text: str) -> str:
    """The draft with a saved reply's text added on a line of its own."""
    return f"{body.rstrip()}\n{text}" if body.strip() else text
