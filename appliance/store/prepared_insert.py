"""An INSERT for one model, written once and reused: peewee's defaults and conversions without
its query building on every row (which costs more than the database's own work)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import peewee as pw

from appliance.store.quick_sql import run_sql

_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Stored:
    """A value already in the form the database takes (e.g. a time converted once for the
    several columns that hold it): inserted as it is."""

    value: Any


class PreparedInsert:
    """Inserts rows of one model with plain SQL; returns the new row's id."""

    def __init__(self, db: pw.Database, model: type[pw.Model], *,
                 skip_conflicts_on: Sequence[str] = ()) -> None:
        """skip_conflicts_on: the columns of a unique index; a row that would break it is not
        inserted (ON CONFLICT DO NOTHING) and insert_new returns None."""
        self.db = db
        meta = model._meta
        self.fields: list[pw.Field] = [f for f in meta.sorted_fields
                                       if not isinstance(f, pw.AutoField)]
        # Per column: its name, its default (called when callable) and its conversion.
        self._plan: list[tuple[str, Any, bool, Callable[[Any], Any]]] = [
            (f.name, f.default, callable(f.default), f.db_value) for f in self.fields]
        self._names = frozenset(f.name for f in self.fields)
        columns = ", ".join(f'"{f.column_name}"' for f in self.fields)
        params = ", ".join([db.param] * len(self.fields))
        key_field = meta.primary_key
        if not isinstance(key_field, pw.Field):
            raise TypeError(f"{model.__name__} has no single-column primary key")
        key = key_field.column_name
        # RETURNING: PostgreSQL, and SQLite since 3.35 (sqlite.org/lang_returning.html).
        conflict = ""
        if skip_conflicts_on:
            names = ", ".join(f'"{model._meta.fields[n].column_name}"' for n in skip_conflicts_on)
            conflict = f"ON CONFLICT ({names}) DO NOTHING "
        self.sql = (f'INSERT INTO "{meta.table_name}" ({columns}) VALUES ({params}) '
                    f'{conflict}RETURNING "{key}"')

    def insert(self, **values: Any) -> int:
        """Insert one row; absent fields take the model's defaults, as Model.create would."""
        found = self.insert_new(**values)
        if found is None:
            raise pw.IntegrityError(f"{self.sql}: the row conflicts with a stored one")
        return found

    def insert_new(self, **values: Any) -> int | None:
        """Insert one row and return its id; None when it conflicts (see skip_conflicts_on)."""
        if not self._names.issuperset(values):
            unknown = sorted(set(values) - self._names)
            raise TypeError(f"unknown fields: {', '.join(unknown)}")
        row: list[Any] = []
        for name, default, call_default, convert in self._plan:
            value = values.get(name, _ABSENT)
            if value is _ABSENT:
                value = default() if call_default else default
            if value is None:
                row.append(None)
            elif type(value) is Stored:
                row.append(value.value)
            else:
                row.append(convert(value))
        found = run_sql(self.db, self.sql, row).fetchone()
        return None if found is None else int(found[0])
