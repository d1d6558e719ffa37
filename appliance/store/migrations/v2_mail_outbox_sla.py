"""Schema step 2: mailbox sync state, the MQTT outbox, customer erasure, stored SLA clocks.

Frozen like step 1: the new tables are defined here, not taken from the live
models. Never edit this file once released; add a new step instead.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator


class _V2(pw.Model):
    class Meta:
        legacy_table_names = False


class MailboxState(_V2):
    mailbox = pw.CharField(unique=True, max_length=200)
    uidvalidity = pw.BigIntegerField(null=True)  # RFC 3501 §2.3.1.1: 32-bit unsigned
    last_uid = pw.BigIntegerField(default=0)
    last_ok_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(null=True)


class Outbox(_V2):
    topic = pw.CharField(max_length=255)
    payload = pw.TextField()
    qos = pw.IntegerField(default=1)
    retain = pw.BooleanField(default=False)
    created_at = pw.DateTimeField(index=True)
    sent_at = pw.DateTimeField(null=True, index=True)


V2_NEW_MODELS: tuple[type[pw.Model], ...] = (MailboxState, Outbox)


def _zero_default(field: pw.Field) -> pw.Field:
    # NOT NULL DEFAULT 0 in one ALTER TABLE: SQLite then needs no table rebuild.
    field.constraints = [pw.SQL("DEFAULT 0")]
    return field


def migrator_for(db: pw.Database) -> SchemaMigrator:
    """The playhouse.migrate migrator for this database's dialect."""
    if isinstance(db, pw.PostgresqlDatabase):
        return PostgresqlMigrator(db)
    return SqliteMigrator(db)


def apply(db: pw.Database) -> None:
    """Add the new tables and columns."""
    m = migrator_for(db)
    m.migrate(
        m.add_column("customer", "erased_at", pw.DateTimeField(null=True)),
        # An SlaClock is stored as business seconds used plus since when it runs.
        m.add_column("ticket", "sla_running_since", pw.DateTimeField(null=True)),
        m.add_column(
            "ticket", "sla_first_response_used_s", _zero_default(pw.DoubleField()),
            allow_not_null=True,
        ),
        m.add_column(
            "ticket", "sla_resolution_used_s", _zero_default(pw.DoubleField()), allow_not_null=True
        ),
        m.add_index("ticket", ("status", "number")),
        m.add_index("ticket", ("assignee_id", "status")),
        m.add_index("quarantine", ("replayed_at",)),
    )
    with db.bind_ctx(V2_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V2_NEW_MODELS, safe=False)
