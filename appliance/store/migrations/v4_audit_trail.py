"""Schema step 4: the audit trail of who viewed, exported, changed or erased customers' data.

Frozen like the steps before: the table is defined here, not taken from the
live model (`appliance.store.models.AuditEntry`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V4(pw.Model):
    class Meta:
        legacy_table_names = False


class AuditEntry(_V4):
    at = pw.DateTimeField(index=True)
    actor = pw.CharField(max_length=200)
    actor_id = pw.IntegerField(null=True)
    action = pw.CharField(max_length=32)
    customer_id = pw.IntegerField(null=True, index=True)
    detail = pw.TextField()


V4_NEW_MODELS: tuple[type[pw.Model], ...] = (AuditEntry,)


def apply(db: pw.Database) -> None:
    """Create the audit trail's table."""
    with db.bind_ctx(V4_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V4_NEW_MODELS, safe=False)
