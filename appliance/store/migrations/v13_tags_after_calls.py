"""Schema step 13: tags on tickets; the after-call item an agent fills when a call ends.

A tag is kept as typed once normalised (`appliance.store.ticket_tags`), one row per ticket
and tag. An after-call item belongs to the agent who took the call, not to the queue.
Frozen like the steps before: the tables are defined here, not taken from the live models
(`appliance.store.models.TicketTag`, `AfterCall`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V13(pw.Model):
    class Meta:
        legacy_table_names = False


class Agent(_V13):
    id = pw.AutoField()


class Customer(_V13):
    id = pw.AutoField()


class Ticket(_V13):
    id = pw.AutoField()


class TicketTag(_V13):
    ticket = pw.ForeignKeyField(Ticket, backref="tags", on_delete="CASCADE")
    tag = pw.CharField(max_length=40, index=True)
    created_at = pw.DateTimeField()

    class Meta:
        indexes = ((("ticket", "tag"), True),)


class AfterCall(_V13):
    call_ref = pw.CharField(max_length=64, unique=True)
    agent = pw.ForeignKeyField(Agent, null=True, on_delete="SET NULL")
    customer = pw.ForeignKeyField(Customer, null=True, on_delete="SET NULL")
    number = pw.CharField(max_length=32, null=True)
    opened_at = pw.DateTimeField()
    saved_at = pw.DateTimeField(null=True)
    notes = pw.TextField(default="")
    outcome = pw.CharField(max_length=16, null=True)
    follow_up_at = pw.DateTimeField(null=True)
    follow_up_ticket = pw.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("agent", "saved_at"), False),)


V13_NEW_MODELS: tuple[type[pw.Model], ...] = (TicketTag, AfterCall)


def apply(db: pw.Database) -> None:
    """Create the tags' and the after-call items' tables."""
    with db.bind_ctx(V13_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V13_NEW_MODELS, safe=False)
