"""A box with one customer reached on every channel, and a second customer who must be left alone.

Every personal value is a distinctive marker, so a raw-byte search of the
database, the attachments folder or a backup finds it if any copy survived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

from appliance.gsm.deliver_encode import encode_deliver
from appliance.mqtt.event_messages import event_message
from appliance.spine.clock import ManualClock
from appliance.spine.events import CallbackCreated, CallOffered, Event, SmsReceived
from appliance.store.attachment_folder import store_blob
from appliance.store.call_figures import call_figures_between
from appliance.store.customers import CustomerDirectory
from appliance.store.daily_figures import close_finished_days
from appliance.store.mail_models import MailIntakeRecord, OutgoingMail
from appliance.store.models import (
    AfterCall,
    Attachment,
    Call,
    DailyFigure,
    HistoryEntry,
    Outbox,
    Quarantine,
)
from appliance.store.stats import count_day, store_stats
from appliance.store.ticket_records import MessageDraft, TicketRecords

ZONE = ZoneInfo("Europe/Helsinki")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

MAIJA_EMAIL = "maija.meikalainen@esimerkki.fi"
MAIJA_PHONE = "+358401234567"
MAIJA_NATIONAL = "0401234567"  # as the modem prints a national caller
MAIJA_NAME = "Maija Meikäläinen"
MAIL_TEXT = "laskuni KUKKARO-77 ei ole tullut"
SMS_TEXT = "Soittakaa minulle PUNAINEN-42"
ATTACHMENT = b"%PDF-1.7 secret invoice ZEBRA-991 for Maija\n"
SUBJECT = "Lasku TUNNUS-4711 puuttuu"
# what must be gone after erasure, wherever it was stored
MAIJA_MARKERS = (MAIJA_EMAIL, "358401234567", MAIJA_NATIONAL, "KUKKARO-77", "PUNAINEN-42",
                 "ZEBRA-991", "Meikäläinen", "TUNNUS-4711", "mornings-only", "SOVITTU-31")

PEKKA_EMAIL = "pekka@toinen.example"
PEKKA_TEXT = "Pekan kysymys ORANSSI-5"
PEKKA_ATTACHMENT = b"Pekka's own file VIOLETTI-8\n"


@dataclass
class Scenario:
    """The ids a test needs."""

    maija: int
    pekka: int
    maija_tickets: list[int]
    pekka_ticket: int
    maija_blob: str
    pekka_blob: str


def record(events: tuple[Event, ...] | list[Event]) -> None:
    """Store events as the history writer does, and queue the MQTT ones as the outbox does."""
    for e in events:
        HistoryEntry.create(at=e.at, kind=e.kind, event_id=e.event_id, customer=e.customer_id,
                            ticket=e.ticket_id, agent=e.agent_id, data=e.payload())
        message = event_message(e, "office")
        if message is not None:
            Outbox.create(topic=f"aspa/office/event/{message[0]}", payload=message[1],
                          created_at=e.at)


def populate(db: pw.Database, data_dir: Path, clock: ManualClock) -> Scenario:
    """Maija on mail, SMS, a call, a callback and in quarantine; Pekka on mail."""
    attachments = data_dir / "attachments"
    directory = CustomerDirectory(db, clock=clock)
    records = TicketRecords(db, clock)
    maija, _ = directory.find_or_create("email", MAIJA_EMAIL, name=MAIJA_NAME)
    directory.add_contact(maija.id, "phone", MAIJA_PHONE)
    maija.notes = "Calls mornings-only"
    maija.save()
    pekka, _ = directory.find_or_create("email", PEKKA_EMAIL, name="Pekka")

    mail = records.open_ticket("email", SUBJECT, maija.id, message=MessageDraft(
        channel="email", direction="in", sender=MAIJA_EMAIL, recipients="tuki@office.example",
        subject=SUBJECT, body_text=f"Hei, {MAIL_TEXT}.", body_html=f"<p>{MAIL_TEXT}</p>",
        message_id="<abc-1@esimerkki.fi>"))
    record(mail.events)
    maija_blob = _attach(attachments, mail.message, "lasku-ZEBRA-991.pdf", ATTACHMENT)
    clock.advance(timedelta(minutes=20))
    reply = records.add_message(mail.ticket.id, MessageDraft(
        channel="email", direction="out", sender="tuki@office.example", recipients=MAIJA_EMAIL,
        subject=f"Re: {SUBJECT}", body_text=f"> {MAIL_TEXT}\nTarkistamme asian."))
    record(reply.events)
    OutgoingMail.create(ticket=mail.ticket.id, message=reply.message, kind="reply",
                        sender="tuki@office.example", recipients=MAIJA_EMAIL,
                        rfc_message_id="<r1@office.example>",
                        content=f"To: {MAIJA_EMAIL}\r\n\r\n> {MAIL_TEXT}\r\n".encode(),
                        state="sent", next_attempt_at=clock.now(), sent_at=clock.now())
    MailIntakeRecord.create(key="k" * 64, rfc_message_id="<abc-1@esimerkki.fi>",
                            source="mail:support", outcome="created", message=mail.message)

    clock.advance(timedelta(hours=1))
    sms = records.open_ticket("sms", SMS_TEXT[:20], maija.id, message=MessageDraft(
        channel="sms", direction="in", sender=MAIJA_NATIONAL, body_text=SMS_TEXT,
        message_id="sms-0123@gsm0"))
    record([*sms.events, SmsReceived(at=clock.now(), line="gsm0", number=MAIJA_NATIONAL,
                                     text=SMS_TEXT)])

    clock.advance(timedelta(hours=1))
    offered = CallOffered(at=clock.now(), call_id="c1", line="gsm0", number=MAIJA_NATIONAL)
    Call.create(call_ref="c1", line="gsm0", number=MAIJA_PHONE, customer=maija.id,
                offered_at=clock.now(), answered_at=clock.now() + timedelta(seconds=12),
                ended_at=clock.now() + timedelta(minutes=3), outcome="answered",
                wait_seconds=12.0, talk_seconds=168.0)
    AfterCall.create(call_ref="c1", customer=maija.id, number=MAIJA_PHONE,
                     opened_at=clock.now() + timedelta(minutes=3),
                     saved_at=clock.now() + timedelta(minutes=4), outcome="solved",
                     notes="Sovittu hyvitys SOVITTU-31")
    clock.advance(timedelta(minutes=10))
    callback = records.open_ticket("callback", f"Soita takaisin {MAIJA_PHONE}", maija.id)
    Call.create(call_ref="c2", line="gsm0", number=MAIJA_PHONE, customer=maija.id,
                ticket=callback.ticket.id, offered_at=clock.now(), ended_at=clock.now(),
                outcome="abandoned", wait_seconds=40.0)
    record([offered, *callback.events,
            CallbackCreated(at=clock.now(), call_id="c2", number=MAIJA_PHONE, reason="abandoned",
                            customer_id=maija.id, ticket_id=callback.ticket.id)])

    raw_mail = (f"From: {MAIJA_NAME} <Maija.Meikalainen@Esimerkki.FI>\r\nSubject: broken\r\n\r\n"
                f"{MAIL_TEXT}\r\n").encode()
    Quarantine.create(source="mail:support", reason="no Date header", raw=raw_mail,
                      received_at=clock.now())
    pdus = encode_deliver(MAIJA_PHONE, SMS_TEXT, clock.now())
    Quarantine.create(source="sms:gsm0", reason="undecodable PDU: test",
                      raw="\n".join(pdus).encode(), received_at=clock.now())

    pekka_ticket = records.open_ticket("email", "Pekan asia", pekka.id, message=MessageDraft(
        channel="email", direction="in", sender=PEKKA_EMAIL, body_text=PEKKA_TEXT))
    record(pekka_ticket.events)
    pekka_blob = _attach(attachments, pekka_ticket.message, "pekka.txt", PEKKA_ATTACHMENT)
    # a second copy of Maija's file sent to Pekka would be his: shared blobs are tested apart

    clock.advance(timedelta(hours=2))
    record(records.change_status(mail.ticket.id, "resolved").events)
    record(records.change_status(sms.ticket.id, "resolved").events)
    clock.advance(timedelta(days=2))
    record(records.change_status(mail.ticket.id, "closed").events)
    close_finished_days(clock.now(), ZONE)
    return Scenario(maija.id, pekka.id, [mail.ticket.id, sms.ticket.id, callback.ticket.id],
                    pekka_ticket.ticket.id, maija_blob, pekka_blob)


def _attach(root: Path, message: Any, name: str, data: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    store_blob(root, digest, data)
    Attachment.create(message=message.id, filename=name, content_type="application/pdf",
                      size=len(data), sha256=digest)
    return digest


def figures(now: datetime) -> dict[str, Any]:
    """Every figure a report shows: they must not change when data is erased."""
    day = START.astimezone(ZONE).date()
    calls = call_figures_between(START - timedelta(days=1), START + timedelta(days=3))
    return {
        "stats": store_stats(now, ZONE),
        "calls": (calls.offered, calls.answered, calls.answered_in_time, calls.abandoned,
                  calls.service_level, calls.average_wait_s),
        "days": [count_day(day + timedelta(days=n), ZONE) for n in range(4)],
        "stored_days": [(f.day, f.open_at_start, f.new, f.resolved)
                        for f in DailyFigure.select().order_by(DailyFigure.day)],
    }
