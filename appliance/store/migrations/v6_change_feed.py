"""Schema step 6: the change feed, by which other processes tell the running daemon.

Frozen like the steps before: the table is defined here, not taken from the
live model (`appliance.store.models.ChangeFeedEntry`). Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V6(pw.Model):
    class Meta:
        legacy_table_names = False


class ChangeFeedEntry(_V6):
    at = pw.DateTimeField()
    source = pw.CharField(max_length=64)
    payload = pw.TextField()


V6_NEW_MODELS: tuple[type[pw.Model], ...] = (ChangeFeedEntry,)


def apply(db: pw.Database) -> None:
    """Create the change feed's table."""
    with db.bind_ctx(V6_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V6_NEW_MODELS, safe=False)
