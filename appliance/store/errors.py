"""Store errors: one base class, each saying what happened and what to do."""

from __future__ import annotations


class StoreError(Exception):
    """Something is wrong with the database; the message tells the user what to do."""


class DatabaseUnavailable(StoreError, ConnectionError):
    """The database cannot be reached or opened (server down, path missing, no permission)."""


class CorruptDatabase(StoreError):
    """The file is not an SQLite database or fails its integrity check."""


class UnknownSchema(StoreError):
    """The database holds tables but no Aspa schema version: not ours, or damaged."""


class SchemaTooNew(StoreError):
    """The database was made by a newer Aspa than this one."""

    def __init__(self, where: str, found: int, known: int) -> None:
        self.where = where
        self.found = found
        self.known = known
        super().__init__(
            f"database {where} was made by a newer Aspa (schema {found}, this one knows "
            f"{known}): upgrade Aspa or restore a backup"
        )


class SchemaOutdated(StoreError):
    """The database needs `aspa db upgrade` before this operation."""


class InvalidInput(StoreError, ValueError):
    """A value given to the store is not acceptable (unknown role, empty login, ...)."""


class NotFound(StoreError, LookupError):
    """The row asked for does not exist."""
