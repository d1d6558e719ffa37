"""Schema step: wall screens, paired once from the admin page and shown the wallboard until revoked.

A screen's row keeps only SHA-256 hashes: of its one-time pairing code, and of
the token in its browser's cookie. Frozen like the steps before: the table is
defined here, not taken from the live model (`appliance.store.models.WallScreen`).
Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw


class _V10(pw.Model):
    class Meta:
        legacy_table_names = False


class WallScreen(_V10):
    name = pw.CharField(max_length=80)
    pairing_hash = pw.CharField(max_length=64, null=True, unique=True)
    pairing_until = pw.DateTimeField(null=True)
    token_hash = pw.CharField(max_length=64, null=True, unique=True)
    created_at = pw.DateTimeField()
    paired_at = pw.DateTimeField(null=True)
    last_seen_at = pw.DateTimeField(null=True)


V10_NEW_MODELS: tuple[type[pw.Model], ...] = (WallScreen,)


def apply(db: pw.Database) -> None:
    """Create the wall screens' table."""
    with db.bind_ctx(V10_NEW_MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(V10_NEW_MODELS, safe=False)
