"""Find the ticket a mail continues: by Message-ID references, then by `[#n]` in the subject."""

from __future__ import annotations

import re

from appliance.mail.intake_context import IntakeContext
from appliance.mail.parsed_mail import ParsedMail
from appliance.store.models import ContactPoint, Message, Ticket, database_proxy
from appliance.store.quick_sql import run_sql

_TICKET_TAG = re.compile(r"\[#(\d{1,9})\]")
MAX_REFERENCES_LOOKED_UP = 50
MAX_MERGE_HOPS = 10


def run(mail: ParsedMail, ctx: IntakeContext) -> None:
    """Annotate follow_up_ticket_id and say how it was found."""
    ticket_id = _by_references(mail)
    if ticket_id is not None:
        mail.follow_up_reason = "references"
    else:
        ticket = _by_subject_tag(mail)
        if ticket is not None:
            ticket_id = ticket.id
            mail.follow_up_reason = "subject tag"
    if ticket_id is not None:
        mail.follow_up_ticket_id = _follow_merges(ticket_id)


def _by_references(mail: ParsedMail) -> int | None:
    """The ticket id of the newest stored message (ours or theirs) this mail refers to."""
    # In-Reply-To names the direct parent; References lists the thread oldest first.
    wanted = [*mail.in_reply_to, *reversed(mail.references)][:MAX_REFERENCES_LOOKED_UP]
    if not wanted:
        return None
    db = database_proxy.obj
    # Written out: every mail asks this, and peewee's query building cost more than SQLite.
    rows = run_sql(db,
        f'SELECT "message_id", "ticket_id" FROM "message" '
        f'WHERE "message_id" IN ({", ".join([db.param] * len(wanted))})', wanted).fetchall()
    by_id = {mid: ticket_id for mid, ticket_id in rows}
    for mid in wanted:
        if mid in by_id:
            return int(by_id[mid])
    return None


def _by_subject_tag(mail: ParsedMail) -> Ticket | None:
    """`[#n]` threads only when the sender is the ticket's customer or was on its mail."""
    match = _TICKET_TAG.search(mail.subject)
    if match is None or not mail.from_address:
        return None
    ticket = Ticket.get_or_none(Ticket.number == int(match.group(1)))
    if ticket is None:
        return None
    if ticket.customer_id is not None and ContactPoint.select().where(
        (ContactPoint.customer == ticket.customer_id)
        & (ContactPoint.kind == "email")
        & (ContactPoint.value == mail.from_address)
    ).exists():
        return ticket
    # Someone on cc of the thread may answer too (osTicket's rule: owner or collaborator).
    for row in Message.select(Message.sender, Message.recipients).where(Message.ticket == ticket):
        if mail.from_address == row.sender.lower() or mail.from_address in _split(row.recipients):
            return ticket
    return None


def _split(recipients: str) -> set[str]:
    return {r.strip().lower() for r in recipients.replace(";", ",").split(",") if r.strip()}


def _follow_merges(ticket_id: int) -> int | None:
    """A merged ticket's follow-ups go to the ticket it was merged into (None: no ticket)."""
    db = database_proxy.obj
    sql = f'SELECT "merged_into_id" FROM "ticket" WHERE "id" = {db.param}'
    row = run_sql(db, sql, (ticket_id,)).fetchone()
    if row is None:
        return None
    current, target = ticket_id, row[0]
    for _ in range(MAX_MERGE_HOPS):
        if target is None:
            break
        row = run_sql(db, sql, (target,)).fetchone()
        if row is None:
            break
        current, target = int(target), row[0]
    return current
