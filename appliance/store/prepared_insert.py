"""An INSERT for one model, written once and reused: peewee's defaults and conversions without
its query building on every row (which costs more than the database's own work)."""

from __future__ import annotations

from typing import Any

import peewee as pw


class PreparedInsert:
    """Inserts rows of one model with plain SQL; returns the new row's id."""

    def __init__(self, db: pw.Database, model: type[pw.Model]) -> None:
        self.db = db
        meta = model._meta
        self.fields: list[pw.Field] = [f for f in meta.sorted_fields
                                       if not isinstance(f, pw.AutoField)]
        columns = ", ".join(f'"{f.column_name}"' for f in self.fields)
        params = ", ".join([db.param] * len(self.fields))
        key_field = meta.primary_key
        if not isinstance(key_field, pw.Field):
            raise TypeError(f"{model.__name__} has no single-column primary key")
        key = key_field.column_name
        # RETURNING: PostgreSQL, and SQLite since 3.35 (sqlite.org/lang_returning.html).
        self.sql = (f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({params}) '
                    f'RETURNING "{key}"')

    def insert(self, **values: Any) -> int:
        """Insert one row; absent fields take the model's defaults, as Model.create would."""
        row = []
        for field in self.fields:
            if field.name in values:
                value = values.pop(field.name)
            elif field.default is not None:
                value = field.default() if callable(field.default) else field.default
            else:
                value = None
            row.append(None if value is None else field.db_value(value))
        if values:
            raise TypeError(f"unknown fields: {', '.join(sorted(values))}")
        found = self.db.execute_sql(self.sql, row).fetchone()
        return int(found[0])
