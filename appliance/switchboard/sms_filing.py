"""Incoming SMS become messages on the sender's SMS thread: a ticket, new or continued.

The modem deletes a message from the SIM only after this returns, so a
failure here keeps it for another try; a key derived from the message makes
the retry add nothing twice. A message that could not be decoded is kept
raw in quarantine with the reason.
"""

from __future__ import annotations

import hashlib
import logging

import peewee as pw

from appliance.ports.sms_inbox import IncomingSms
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import Quarantined
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import InvalidInput
from appliance.store.models import Message, Quarantine, Ticket
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker

log = logging.getLogger("aspa.sms")

SUBJECT_CHARS = 60


def sms_key(sms: IncomingSms) -> str:
    """A stable id for one received message (stored as its Message-ID, for de-duplication)."""
    stamp = sms.timestamp.isoformat() if sms.timestamp is not None else ""
    digest = hashlib.sha256("\x1f".join((sms.line, sms.number, stamp, sms.text)).encode())
    return f"sms-{digest.hexdigest()[:40]}@{sms.line}"


def _subject(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_CHARS else line[: SUBJECT_CHARS - 1] + "…"


def _already_stored(key: str) -> bool:
    return bool(Message.select().where(Message.message_id == key).exists())


def _latest_sms_ticket(customer_id: int) -> int | None:
    row = (Ticket.select(Ticket.id)
           .where((Ticket.customer == customer_id) & (Ticket.channel == "sms")
                  & Ticket.merged_into.is_null())
           .order_by(Ticket.id.desc()).tuples().first())
    return int(row[0]) if row else None


class SmsIntake:
    """The GSM driver's SMS sink: file each message, then let the modem delete it."""

    def __init__(self, db: pw.Database, bus: EventBus, clock: Clock, store: StoreWorker,
                 tickets: TicketBook, *, country_code: str = "358") -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._store = store
        self._tickets = tickets
        self._directory = CustomerDirectory(db, default_country_code=country_code)

    async def __call__(self, sms: IncomingSms) -> None:
        if sms.error is not None or not sms.number:
            await self._quarantine(sms, sms.error or "no sender number")
            return
        key = sms_key(sms)
        if await self._store.call(_already_stored, key):
            log.info("%s: SMS %s already stored; not adding it again", sms.line, key)
            return
        try:
            customer, _ = await self._store.call(self._directory.find_or_create, "phone",
                                                 sms.number)
        except InvalidInput as error:
            await self._quarantine(sms, f"sender {sms.number!r}: {error}")
            return
        draft = MessageDraft(channel="sms", direction="in", body_text=sms.text,
                             sender=sms.number, message_id=key)
        thread = await self._store.call(_latest_sms_ticket, customer.id)
        if thread is None:
            await self._tickets.open_ticket("sms", _subject(sms.text), customer.id,
                                            message=draft)
        else:
            # pending/resolved threads reopen; a closed one starts a new ticket
            await self._tickets.reopen_on_customer_reply(thread, draft)

    async def _quarantine(self, sms: IncomingSms, reason: str) -> None:
        raw = "\n".join(sms.raw_pdus).encode()
        source = f"sms:{sms.line}"

        def keep() -> int:
            with self._db.atomic():
                return int(Quarantine.create(source=source, reason=reason, raw=raw,
                                             received_at=sms.received_at).id)

        quarantine_id = await self._store.call(keep)
        log.warning("%s: SMS quarantined (%s)", sms.line, reason)
        self._bus.publish(Quarantined(at=self._clock.now(), quarantine_id=quarantine_id,
                                      source=source, reason=reason))
