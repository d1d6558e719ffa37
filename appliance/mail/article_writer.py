"""Write one intake result in one transaction: the article or quarantine row, the dedupe ledger
entry and the mailbox position together, so a crash at any instant leaves all or nothing."""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from appliance.mail.content_identity import content_hash
from appliance.mail.ledger_slot import find_slot, ticket_number_of
from appliance.mail.parsed_mail import ParsedMail
from appliance.spine.clock import Clock
from appliance.spine.events import Event, Quarantined
from appliance.store.intake_writes import AttachmentRow, IntakeWrites
from appliance.store.mail_models import MailIntakeRecord
from appliance.store.models import (
    ContactPoint,
    MailboxState,
    Quarantine,
    Ticket,
    database_proxy,
)
from appliance.store.quick_sql import run_sql
from appliance.store.ticket_records import MessageDraft
from appliance.tickets import BusinessCalendar, ReplyAction, SlaPolicy, TicketStatus

log = logging.getLogger("aspa.mail.writer")

# One process-wide lock: ticket numbers are max+1, and several mailbox threads write.
WRITE_LOCK = threading.RLock()


@dataclass(frozen=True)
class MailboxPosition:
    """Where a mail came from on the server: advanced in the same transaction as its article."""

    mailbox: str
    uidvalidity: int
    uid: int


@dataclass
class WriteOutcome:
    """What became of one mail, and the events to publish once committed."""

    kind: str  # created / threaded / quarantined / duplicate
    ticket_id: int | None = None
    message_row_id: int | None = None
    quarantine_id: int | None = None
    events: list[Event] = field(default_factory=list)
    reused_message_id: bool = False  # an earlier, different mail had this Message-ID


def raw_key(raw: bytes) -> str:
    """A dedupe key for a mail whose Message-ID could not even be read."""
    return f"{hashlib.sha256(raw).hexdigest()[:40]}@raw.aspa.invalid"


class ArticleWriter:
    """Turns filtered mails into tickets, articles or quarantine rows, exactly once each."""

    def __init__(self, clock: Clock, policy: SlaPolicy | None = None,
                 calendar: BusinessCalendar | None = None) -> None:
        self.clock = clock
        self.policy = policy
        self.calendar = calendar
        self._intake_writes: IntakeWrites | None = None

    def use_terms(self, policy: SlaPolicy, calendar: BusinessCalendar) -> None:
        """New SLA targets and hours, for the tickets written from now on."""
        self.policy, self.calendar = policy, calendar
        writes = self._intake_writes
        if writes is not None:
            writes.records.policy, writes.records.calendar = policy, calendar

    def write(self, mail: ParsedMail, position: MailboxPosition | None = None,
              replaying: Quarantine | None = None) -> WriteOutcome:
        """Write one mail inside the caller's transaction (the caller holds WRITE_LOCK)."""
        db = database_proxy.obj
        if not db.in_transaction():
            raise RuntimeError("ArticleWriter.write needs the caller's transaction")
        if position is not None:
            advance_position(position, self.clock.now())
        identity = mail.dedupe_key or raw_key(mail.raw)
        digest = mail.content_hash or content_hash(mail.raw)
        slot = find_slot(db, identity, digest, mail.earlier_dedupe_key, replaying)
        if slot.duplicate_of is not None:
            return WriteOutcome("duplicate", message_row_id=slot.duplicate_of[1])
        earlier_ticket = None
        if slot.reused:
            earlier_ticket = ticket_number_of(slot.earlier_message_id)
            mail.notes.append(
                f"Another mail with this Message-ID was taken in before"
                f"{f' (ticket #{earlier_ticket})' if earlier_ticket else ''}; this one's content "
                f"differs, so it is kept too.")
        if mail.quarantine_reason:
            outcome = self._quarantine(mail)
        else:
            outcome = self._article(mail)
            if replaying is not None:
                replaying.replayed_at = self.clock.now()
                replaying.result_ticket = Ticket.get_by_id(outcome.ticket_id)
                replaying.save()
        if slot.reused:
            outcome.reused_message_id = True
            log.warning("mail from %s (UID %s) reuses Message-ID <%s> of an earlier mail%s with "
                        "different content: kept, %s", mail.source, mail.uid, identity[:200],
                        f" (ticket #{earlier_ticket})" if earlier_ticket else "",
                        _kept_as(outcome))
        quarantine_id = outcome.quarantine_id or (replaying.id if replaying else None)
        if slot.row_id is not None:
            (MailIntakeRecord.update(outcome=outcome.kind, message=outcome.message_row_id,
                                     quarantine=quarantine_id, at=self.clock.now(),
                                     content_hash=digest)
             .where(MailIntakeRecord.id == slot.row_id).execute())
            return outcome
        p = db.param
        run_sql(db,
            'INSERT INTO "mail_intake_record" ("key", "rfc_message_id", "source", "uidvalidity", '
            '"uid", "outcome", "message_id", "quarantine_id", "at", "content_hash") '
            f'VALUES ({", ".join([p] * 10)})',
            (slot.key, identity[:500], mail.source[:200], mail.uidvalidity, mail.uid,
             outcome.kind, outcome.message_row_id, quarantine_id,
             MailIntakeRecord.at.db_value(self.clock.now()), digest))
        return outcome

    def _quarantine(self, mail: ParsedMail) -> WriteOutcome:
        _mark_failing(mail)  # a bounce of no known ticket still tells of a dead address
        row = Quarantine.create(source=mail.source[:200], reason=mail.quarantine_reason,
                                raw=mail.raw, received_at=self.clock.now())
        event = Quarantined(at=self.clock.now(), quarantine_id=row.id, source=row.source,
                            reason=row.reason)
        return WriteOutcome("quarantined", quarantine_id=row.id, events=[event])

    def _article(self, mail: ParsedMail) -> WriteOutcome:
        writes = self._writes()
        if mail.customer_id is not None:
            customer_id = mail.customer_id
        else:
            # The customer filter found nobody with this address: most likely a new one (a
            # wrong guess costs the look-up after all, never a second customer).
            customer_id = writes.customer_for_email(mail.from_address, name=mail.from_name,
                                                    likely_new=True)
        draft = MessageDraft(
            channel="email", direction="in", sender=mail.from_address,
            recipients=", ".join([*mail.to, *mail.cc]), subject=mail.subject,
            body_text=_body_with_notes(mail), body_html=mail.html,
            message_id=mail.message_id[:500],
            in_reply_to=(mail.in_reply_to[0][:500] if mail.in_reply_to else None),
        )
        ticket_id = None
        if mail.follow_up_ticket_id is not None:
            ticket_id = writes.existing_ticket(mail.follow_up_ticket_id)
        if ticket_id is None:
            written = writes.open_ticket(mail.subject or "(no subject)", customer_id, draft)
            kind = "created"
        else:
            # An auto-reply or bounce belongs on the thread but must not reopen it.
            written = writes.add_to_ticket(ticket_id, draft, customer_reply=not mail.is_automatic)
            kind = "created" if written.action is ReplyAction.NEW_TICKET else "threaded"
        if mail.attachments:
            writes.add_attachments(written.message_id, [
                AttachmentRow(a.filename, a.content_type, a.size, a.sha256)
                for a in mail.attachments])
        _mark_failing(mail)
        events = list(written.events)
        if kind == "threaded" and mail.is_bounce and mail.failed_recipients:
            events += self._back_to_work(written.ticket_id)
        return WriteOutcome(kind, ticket_id=written.ticket_id, message_row_id=written.message_id,
                            events=events)

    def _back_to_work(self, ticket_id: int) -> tuple[Event, ...]:
        """Our reply never arrived: a ticket set aside (pending, resolved) is open work again,
        so the agent sees the bounce; a closed one only carries it."""
        status = Ticket.select(Ticket.status).where(Ticket.id == ticket_id).scalar()
        if status not in (TicketStatus.PENDING.value, TicketStatus.RESOLVED.value):
            return ()
        return self._writes().records.change_status(ticket_id, TicketStatus.OPEN.value).events

    def _writes(self) -> IntakeWrites:
        """The store's intake write path, prepared once per database."""
        db = database_proxy.obj
        if self._intake_writes is None or self._intake_writes.db is not db:
            self._intake_writes = IntakeWrites(db, self.clock, policy=self.policy,
                                               calendar=self.calendar)
        return self._intake_writes


def advance_position(position: MailboxPosition, now: datetime) -> None:
    """Record that every UID up to this one is taken in (RFC 3501 §2.3.1.1: UIDs ascend)."""
    state = MailboxState.get_or_none(MailboxState.mailbox == position.mailbox)
    if state is None:
        MailboxState.create(mailbox=position.mailbox, uidvalidity=position.uidvalidity,
                            last_uid=position.uid, last_ok_at=now)
        return
    if state.uidvalidity != position.uidvalidity:
        state.uidvalidity = position.uidvalidity
        state.last_uid = 0
    state.last_uid = max(state.last_uid, position.uid)
    state.last_ok_at = now
    state.save()


def _mark_failing(mail: ParsedMail) -> None:
    """A permanent failure (RFC 3464 Action: failed) means the address does not work."""
    if mail.failed_recipients:
        (ContactPoint.update(failing=True)
         .where((ContactPoint.kind == "email")
                & (ContactPoint.value.in_(mail.failed_recipients)))
         .execute())


def _kept_as(outcome: WriteOutcome) -> str:
    if outcome.quarantine_id is not None:
        return f"quarantine entry {outcome.quarantine_id}"
    return f"message {outcome.message_row_id} ({outcome.kind})"


def _body_with_notes(mail: ParsedMail) -> str:
    if not mail.notes:
        return mail.text
    notes = "\n".join(f"[Aspa] {note}" for note in mail.notes)
    return f"{notes}\n\n{mail.text}" if mail.text else notes
