"""Schema step 10: each agent's own sender name and signature for replies by mail.

Both NULL for the agents before this step: their replies go out under their name,
with the closing the box adds. Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate


def apply(db: pw.Database) -> None:
    """Add agent.sender_name and agent.signature."""
    migrator = SchemaMigrator.from_database(db)
    migrate(
        migrator.add_column("agent", "sender_name", pw.CharField(max_length=200, null=True)),
        migrator.add_column("agent", "signature", pw.TextField(null=True)),
    )
