"""Query results as plain tuples and id lists, typed (peewee's stubs type `.tuples()` as models)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import peewee as pw


def tuples(query: pw.ModelSelect[Any]) -> list[tuple[Any, ...]]:
    """The rows of a select as tuples."""
    return list(cast(Iterable[tuple[Any, ...]], query.tuples()))


def first_column(query: pw.ModelSelect[Any]) -> list[Any]:
    """The first selected column of every row."""
    return [row[0] for row in tuples(query)]


def ids(query: pw.ModelSelect[Any]) -> list[int]:
    """The ids a one-column select returns, sorted."""
    return sorted(int(value) for value in first_column(query))
