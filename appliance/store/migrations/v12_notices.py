"""Schema step: agents' notice choices and quiet hours, and the log that keeps notices single.

Frozen like the steps before: the tables are defined here, not taken from the
live models (`AgentNoticeSettings`, `NoticeLogEntry` in appliance.store.models).
Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V12(pw.Model):
    class Meta:
        legacy_table_names = False


class Agent(_V12):
    class Meta:
        table_name = "agent"


class Ticket(_V12):
    class Meta:
        table_name = "ticket"


class AgentNoticeSettings(_V12):
    agent = pw.ForeignKeyField(Agent, unique=True, on_delete="CASCADE")
    ways = pw.TextField(default="{}")
    email = pw.CharField(max_length=320, default="")
    quiet_start = pw.CharField(max_length=5, null=True)
    quiet_end = pw.CharField(max_length=5, null=True)


class NoticeLogEntry(_V12):
    key = pw.CharField(max_length=300, unique=True)
    agent = pw.ForeignKeyField(Agent, null=True, on_delete="CASCADE")
    ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=32)
    way = pw.CharField(max_length=16, default="")
    state = pw.CharField(max_length=16, index=True)
    text = pw.TextField(default="")
    created_at = pw.DateTimeField()
    due_at = pw.DateTimeField(null=True, index=True)
    sent_at = pw.DateTimeField(null=True)


V12_NEW_MODELS: tuple[type[pw.Model], ...] = (AgentNoticeSettings, NoticeLogEntry)


def apply(db: pw.Database) -> None:
    """Create the notice choices' and the notice log's tables."""
    with db.bind_ctx(V12_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V12_NEW_MODELS, safe=False)
