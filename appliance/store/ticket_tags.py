"""Tags on tickets: normalised when typed, added and removed one at a time, counted by tag.

A tag is short free text an office uses to sort its work ("invoice", "laskutus"). It is kept
normalised, so "Invoice ", "invoice" and "INVOICE" are one tag: Unicode NFKC, lower case,
runs of whitespace made one space. Blocking; run in the store thread.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import peewee as pw

from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Ticket, TicketTag

TAG_MAX_CHARS = 40
TAGS_PER_TICKET_MAX = 20  # more is no longer sorting, and the lists stay readable


class BadTag(InvalidInput):
    """A typed tag cannot be used; `what` is the catalogue text of why."""

    def __init__(self, what: str, **values: object) -> None:
        self.what = what
        self.values = values
        super().__init__(f"tag {what.format(**values)}")


def normalise_tag(typed: str) -> str:
    """The tag as kept: NFKC, lower case, whitespace runs as one space; BadTag if unusable."""
    text = unicodedata.normalize("NFKC", typed)
    if any(unicodedata.category(c) in ("Cc", "Cf") and not c.isspace() for c in text):
        raise BadTag("must not hold control characters")
    tag = " ".join(text.lower().split())
    if not tag:
        raise BadTag("required")
    if len(tag) > TAG_MAX_CHARS:
        raise BadTag("too long: at most {count} characters", count=TAG_MAX_CHARS)
    return tag


def _ticket_id(number: int) -> int:
    row = Ticket.select(Ticket.id).where(Ticket.number == number).tuples().first()
    if row is None:
        raise NotFound(f"ticket #{number} does not exist")
    return int(row[0])


def tags_of(ticket_id: int) -> list[str]:
    """The ticket's tags, in alphabetical order."""
    rows = (TicketTag.select(TicketTag.tag).where(TicketTag.ticket == ticket_id)
            .order_by(TicketTag.tag).tuples())
    return [tag for (tag,) in cast(Iterable[tuple[str]], rows)]


def tags_by_ticket(ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tags of these tickets, by ticket id (tickets without tags left out)."""
    ids = list(ticket_ids)
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    rows = (TicketTag.select(TicketTag.ticket, TicketTag.tag)
            .where(TicketTag.ticket.in_(ids)).order_by(TicketTag.tag).tuples())
    for ticket_id, tag in cast(Iterable[tuple[int, str]], rows):
        found.setdefault(ticket_id, []).append(tag)
    return found


def add_tag(number: int, typed: str, now: datetime) -> list[str]:
    """Tag ticket #number (a tag it has already changes nothing); its tags after."""
    tag = normalise_tag(typed)
    with Ticket._meta.database.atomic():
        ticket_id = _ticket_id(number)
        have = tags_of(ticket_id)
        if tag in have:
            return have
        if len(have) >= TAGS_PER_TICKET_MAX:
            raise BadTag("at most {count} tags on one ticket", count=TAGS_PER_TICKET_MAX)
        TicketTag.insert(ticket=ticket_id, tag=tag, created_at=now).on_conflict_ignore().execute()
        return tags_of(ticket_id)


def remove_tag(number: int, typed: str) -> list[str]:
    """Take a tag off ticket #number (one it does not have changes nothing); its tags after."""
    tag = normalise_tag(typed)
    with Ticket._meta.database.atomic():
        ticket_id = _ticket_id(number)
        TicketTag.delete().where((TicketTag.ticket == ticket_id)
                                 & (TicketTag.tag == tag)).execute()
        return tags_of(ticket_id)


def tagged(tag: str) -> pw.Expression:
    """A condition on Ticket: it carries this (normalised) tag."""
    return Ticket.id.in_(TicketTag.select(TicketTag.ticket).where(TicketTag.tag == tag))


def known_tags(limit: int = 200) -> list[str]:
    """The tags in use, most used first, for the filter's choices."""
    count = pw.fn.COUNT(TicketTag.id)
    rows = (TicketTag.select(TicketTag.tag, count).group_by(TicketTag.tag)
            .order_by(count.desc(), TicketTag.tag).limit(limit).tuples())
    return [tag for tag, _ in cast(Iterable[tuple[str, int]], rows)]


@dataclass(frozen=True, slots=True)
class TagFigures:
    """One tag's tickets in a period: opened in it, resolved in it."""

    tag: str
    opened: int
    resolved: int

    def json(self) -> dict[str, Any]:
        return {"tag": self.tag, "opened": self.opened, "resolved": self.resolved}


def tag_report(start: datetime, end: datetime) -> list[TagFigures]:
    """Per tag, tickets opened and tickets resolved in [start, end), busiest tag first."""
    def counted(moment: pw.Field) -> dict[str, int]:
        rows = (TicketTag.select(TicketTag.tag, pw.fn.COUNT(TicketTag.id))
                .join(Ticket, on=(TicketTag.ticket == Ticket.id))
                .where((moment >= start) & (moment < end))
                .group_by(TicketTag.tag).tuples())
        return dict(cast(Iterable[tuple[str, int]], rows))

    opened = counted(Ticket.created_at)
    resolved = counted(Ticket.resolved_at)
    figures = [TagFigures(tag, opened.get(tag, 0), resolved.get(tag, 0))
               for tag in {*opened, *resolved}]
    figures.sort(key=lambda f: (-(f.opened + f.resolved), f.tag))
    return figures
