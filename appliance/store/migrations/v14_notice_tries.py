"""Schema step 14: a notice is recorded before it is sent, and counts its failed tries.

The notice log's rows gain `tries`: how many times a sender failed on the notice; its
`due_at` is then the next try. Rows before this step count none. Never edit this file
once released.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate


def apply(db: pw.Database) -> None:
    """Add notice_log_entry.tries."""
    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("notice_log_entry", "tries", pw.IntegerField(default=0)))
