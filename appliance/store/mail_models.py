"""The mail part's own tables: what intake has taken in, and mail waiting to go out."""

from __future__ import annotations

import peewee as pw

from appliance.store.models import (
    BaseModel,
    Message,
    Quarantine,
    Ticket,
    UtcDateTimeField,
    utcnow,
)


class MailIntakeRecord(BaseModel):
    """One mail taken in, by its (given or synthesised) Message-ID: the dedupe ledger."""

    id = pw.AutoField()

    key = pw.CharField(max_length=64, unique=True)  # sha256 of the Message-ID
    rfc_message_id = pw.CharField(max_length=500)
    source = pw.CharField(max_length=200)  # mail:<mailbox> or import:<path>
    uidvalidity = pw.BigIntegerField(null=True)
    uid = pw.BigIntegerField(null=True)
    outcome = pw.CharField(max_length=16)  # created / threaded / quarantined
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")
    quarantine = pw.ForeignKeyField(Quarantine, null=True, on_delete="SET NULL")
    at = UtcDateTimeField(default=utcnow)
    # sha256 of the mail without transport headers (appliance.mail.content_identity): a
    # second mail with a known Message-ID is a copy only if this agrees. None: before schema 7.
    content_hash = pw.CharField(max_length=64, null=True)

    message_id: int | None  # peewee's id accessors of the two foreign keys
    quarantine_id: int | None


class OutgoingMail(BaseModel):
    """A mail to send over SMTP, kept with its attempts until the server has taken it."""

    id = pw.AutoField()

    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=16)  # reply / acknowledgement
    sender = pw.CharField(max_length=320)
    recipients = pw.TextField()  # comma-separated envelope recipients
    rfc_message_id = pw.CharField(max_length=500)
    content = pw.BlobField()  # the whole mail as sent (RFC 5322)
    state = pw.CharField(max_length=16, default="pending", index=True)  # pending/sent/refused
    attempts = pw.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(default=utcnow, index=True)
    last_error = pw.TextField(null=True)
    created_at = UtcDateTimeField(default=utcnow)
    sent_at = UtcDateTimeField(null=True)

    ticket_id: int | None  # peewee's id accessors of the two foreign keys
    message_id: int | None


MAIL_MODELS: tuple[type[BaseModel], ...] = (MailIntakeRecord, OutgoingMail)
