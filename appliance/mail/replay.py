"""Run a quarantined mail through the intake again: exactly one ticket, or a new reason."""

from __future__ import annotations

import dataclasses

from appliance.mail.article_writer import WRITE_LOCK, WriteOutcome
from appliance.mail.errors import ReplayError
from appliance.mail.intake_context import IntakeContext
from appliance.mail.processing import MailProcessor
from appliance.store.change_feed import record_changes
from appliance.store.models import Message, Quarantine, Ticket, database_proxy

MAIL_SOURCES = ("mail:", "import:")


def replay(quarantine_id: int, ctx: IntakeContext, *,
           feed_source: str | None = None) -> WriteOutcome:
    """Replay one quarantined mail; a second replay of the same entry is refused.

    With `feed_source` (another process than the daemon) the outcome's events go into
    the change feed in the same transaction, for the running daemon to publish.
    """
    row = Quarantine.get_or_none(Quarantine.id == quarantine_id)
    if row is None:
        raise ReplayError(f"no quarantined mail #{quarantine_id}: see the quarantine list")
    if not row.source.startswith(MAIL_SOURCES):
        raise ReplayError(f"quarantined item #{quarantine_id} came from {row.source}, not from "
                          f"mail: replay it with that part's own command")
    if row.replayed_at is not None:
        ticket = Ticket.get_or_none(Ticket.id == row.result_ticket)
        number = ticket.number if ticket is not None else "?"
        raise ReplayError(f"quarantined mail #{quarantine_id} was already replayed "
                          f"(ticket #{number})")
    # Replaying is a person's choice: an auto-reply kept aside for want of a ticket comes in.
    processor = MailProcessor(dataclasses.replace(ctx, take_in_automatic=True))
    mail = processor.filtered(bytes(row.raw), row.source)
    with WRITE_LOCK, database_proxy.atomic():
        if mail.quarantine_reason:
            row.reason = f"{mail.quarantine_reason} (still, after replay)"
            row.save()
            return WriteOutcome("quarantined", quarantine_id=row.id)
        outcome = processor.writer.write(mail, replaying=row)
        if outcome.kind == "duplicate":
            # Another copy of this mail made it in meanwhile: point the entry at its ticket.
            message = Message.get_or_none(Message.id == outcome.message_row_id)
            row.replayed_at = ctx.clock.now()
            row.result_ticket = message.ticket if message else None
            row.save()
            outcome.ticket_id = message.ticket.id if message else None
        if feed_source is not None:
            record_changes(outcome.events, feed_source)
        return outcome


def replay_for_cli(quarantine_id: int, ctx: IntakeContext) -> str:
    """`aspa mail replay ID`: one line saying what became of the mail (ReplayError otherwise)."""
    outcome = replay(quarantine_id, ctx, feed_source="cli:mail replay")
    if outcome.kind == "quarantined":
        reason = Quarantine.get_by_id(quarantine_id).reason
        return f"quarantined mail #{quarantine_id} still cannot be taken in: {reason}"
    message = Message.get_or_none(Message.id == outcome.message_row_id)
    number = message.ticket.number if message else "?"
    verb = {"created": "became ticket", "threaded": "was added to ticket",
            "duplicate": "was already in ticket"}[outcome.kind]
    return f"quarantined mail #{quarantine_id} {verb} #{number}"
