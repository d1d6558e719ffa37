"""Schema step 6: the change feed, by which other processes tell the running daemon;
login brakes kept across restarts; the outbox of promised SMS; how each call was
handed to its agent.

Frozen like the steps before: the tables are defined here, not taken from the
live models (`appliance.store.models`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate


class _V6(pw.Model):
    class Meta:
        legacy_table_names = False


class ChangeFeedEntry(_V6):
    at = pw.DateTimeField()
    source = pw.CharField(max_length=64)
    payload = pw.TextField()


class LoginBrake(_V6):
    key = pw.CharField(max_length=64, primary_key=True)
    failures = pw.IntegerField()
    last_failure_at = pw.DateTimeField(index=True)


class Ticket(_V6):
    """Stand-in naming the existing table, so the foreign key points at it."""


class SmsOutboxEntry(_V6):
    created_at = pw.DateTimeField()
    number = pw.CharField(max_length=32)
    text = pw.TextField()
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    preferred_line = pw.CharField(max_length=64, null=True)
    state = pw.CharField(max_length=16, default="queued", index=True)
    attempts = pw.IntegerField(default=0)
    next_try_at = pw.DateTimeField()
    last_error = pw.TextField(default="")
    line = pw.CharField(max_length=64, null=True)
    references = pw.TextField(null=True)
    sent_at = pw.DateTimeField(null=True)
    reported_at = pw.DateTimeField(null=True)


V6_NEW_MODELS: tuple[type[pw.Model], ...] = (ChangeFeedEntry, LoginBrake, SmsOutboxEntry)


def apply(db: pw.Database) -> None:
    """Create the change feed's, the login brakes' and the SMS outbox's tables; add Call.method."""
    with db.bind_ctx(V6_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V6_NEW_MODELS, safe=False)
    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("call", "method", pw.CharField(max_length=16, null=True)))
