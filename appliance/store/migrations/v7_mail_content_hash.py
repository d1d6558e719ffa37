"""Schema step 7: the mail intake ledger keeps each mail's content hash, so a second mail
with a known Message-ID but other content is kept instead of passed over as a copy.

Rows written before this step keep NULL: their mails count as copies of anything with
their Message-ID, as they did. Never edit this file once released.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate


def apply(db: pw.Database) -> None:
    """Add mail_intake_record.content_hash."""
    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("mail_intake_record", "content_hash",
                                pw.CharField(max_length=64, null=True)))
