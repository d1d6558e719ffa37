"""Schema step 5: web login sessions, kept across restarts (only a hash of each token).

Frozen like the steps before: the table is defined here, not taken from the
live model (`appliance.store.models.WebSession`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V5(pw.Model):
    class Meta:
        legacy_table_names = False


class Agent(_V5):
    """Stand-in naming the existing table, so the foreign key points at it."""


class WebSession(_V5):
    token_hash = pw.CharField(max_length=64, unique=True)
    agent = pw.ForeignKeyField(Agent, on_delete="CASCADE")
    role = pw.CharField(max_length=16)
    language = pw.CharField(max_length=8, null=True)
    created_at = pw.DateTimeField()
    last_seen_at = pw.DateTimeField()
    idle_timeout_s = pw.IntegerField()
    ends_at = pw.DateTimeField()
    expires_at = pw.DateTimeField(index=True)


V5_NEW_MODELS: tuple[type[pw.Model], ...] = (WebSession,)


def apply(db: pw.Database) -> None:
    """Create the sessions' table."""
    with db.bind_ctx(V5_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V5_NEW_MODELS, safe=False)
