"""Where a mail goes in the intake ledger: a copy of a mail taken in, or a mail of its own.

The ledger is keyed by the mail's claimed identity, its Message-ID. A second mail with a
known Message-ID is the same mail only when its content hash agrees (content_identity);
otherwise scanners, web forms or a hostile sender reusing an ID would make a later mail
vanish. Such a mail gets a key of its own, the ID with its content hash, so a redelivered
copy of it is recognised too, after a crash or a restart as much as before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import peewee as pw

from appliance.store.models import Message, Quarantine, Ticket
from appliance.store.quick_sql import run_sql

# A ledger row: id, message id, quarantine id, content hash (None: recorded before schema 7).
LedgerRow = tuple[int, int | None, int | None, str | None]


@dataclass(frozen=True, slots=True)
class LedgerSlot:
    """The key to record a mail under, the row it takes over (a replay), or the copy it is."""

    key: str
    row_id: int | None = None  # a replayed quarantine entry's row, to update
    duplicate_of: LedgerRow | None = None  # set: the mail is a copy of this one
    reused: bool = False  # another mail already holds this Message-ID
    earlier_message_id: int | None = None  # that mail's message row, when it was stored


def ledger_key(identity: str) -> str:
    """The ledger's fixed-width key for an identity (a Message-ID may be 500 characters)."""
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()


def find_slot(db: pw.Database, identity: str, digest: str, earlier_identity: str,
              replaying: Quarantine | None) -> LedgerSlot:
    """Find where a mail with this identity and content hash belongs in the ledger."""

    def is_replayed(row: LedgerRow) -> bool:
        return replaying is not None and row[2] == replaying.id

    key = ledger_key(identity)
    row = _row(db, key)
    if row is None:
        if earlier_identity:
            # Recorded by schema 6 or before under the stand-in ID of the time: its content
            # was never hashed, so the old stand-in is all there is to know it by.
            old = _row(db, ledger_key(earlier_identity))
            if old is not None and old[3] is None and not is_replayed(old):
                return LedgerSlot(key, duplicate_of=old)
        return LedgerSlot(key)
    if is_replayed(row):
        return LedgerSlot(key, row_id=row[0])
    if row[3] is None or row[3] == digest:
        # The same content, or a row from before content was hashed: a copy of that mail.
        return LedgerSlot(key, duplicate_of=row)
    own_key = ledger_key(f"{identity}\n{digest}")
    own = _row(db, own_key)
    if own is None:
        return LedgerSlot(own_key, reused=True, earlier_message_id=row[1])
    if is_replayed(own):
        return LedgerSlot(own_key, row_id=own[0], reused=True, earlier_message_id=row[1])
    return LedgerSlot(own_key, duplicate_of=own)


def ticket_number_of(message_row_id: int | None) -> int | None:
    """The number of the ticket holding a stored message, for the log and the agent's note."""
    if message_row_id is None:
        return None
    ticket = (Ticket.select(Ticket.number).join(Message, on=(Message.ticket == Ticket.id))
              .where(Message.id == message_row_id).first())
    return None if ticket is None else int(ticket.number)


def _row(db: pw.Database, key: str) -> LedgerRow | None:
    # Hand-written SQL on the hot path: one look-up per mail, no query building.
    found = run_sql(db,
        f'SELECT "id", "message_id", "quarantine_id", "content_hash" FROM "mail_intake_record" '
        f'WHERE "key" = {db.param}', (key,)).fetchone()
    return None if found is None else (found[0], found[1], found[2], found[3])
