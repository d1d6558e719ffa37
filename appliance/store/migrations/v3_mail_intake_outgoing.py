"""Schema step 3: the mail intake ledger (dedupe by Message-ID) and outgoing mail with retries.

Frozen like the steps before: the tables are defined here, not taken from the
live models (`appliance.mail.models`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V3(pw.Model):
    class Meta:
        legacy_table_names = False


class _Ref(_V3):
    """Stand-ins naming existing tables, so foreign keys point at them."""


class Ticket(_Ref):
    pass


class Message(_Ref):
    pass


class Quarantine(_Ref):
    pass


class MailIntakeRecord(_V3):
    key = pw.CharField(max_length=64, unique=True)
    rfc_message_id = pw.CharField(max_length=500)
    source = pw.CharField(max_length=200)
    uidvalidity = pw.BigIntegerField(null=True)
    uid = pw.BigIntegerField(null=True)
    outcome = pw.CharField(max_length=16)
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")
    quarantine = pw.ForeignKeyField(Quarantine, null=True, on_delete="SET NULL")
    at = pw.DateTimeField()


class OutgoingMail(_V3):
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    message = pw.ForeignKeyField(Message, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=16)
    sender = pw.CharField(max_length=320)
    recipients = pw.TextField()
    rfc_message_id = pw.CharField(max_length=500)
    content = pw.BlobField()
    state = pw.CharField(max_length=16, default="pending", index=True)
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(index=True)
    last_error = pw.TextField(null=True)
    created_at = pw.DateTimeField()
    sent_at = pw.DateTimeField(null=True)


V3_NEW_MODELS: tuple[type[pw.Model], ...] = (MailIntakeRecord, OutgoingMail)


def apply(db: pw.Database) -> None:
    """Create the two mail tables."""
    with db.bind_ctx(V3_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V3_NEW_MODELS, safe=False)
