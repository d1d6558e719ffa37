"""The search index behind one interface: SQLite's FTS5 or PostgreSQL's full-text search.

Both index the same rows the same way (schema step 8 and its triggers); both take the
terms of `query_terms` and answer the best index rows, best first. The match
expression is built from letters and digits only, and passed as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import peewee as pw

from appliance.store.search.query_terms import SearchTerm

KIND_COUNT = 4  # an index row's id is the source row's id × 4 + its kind
TICKET, MESSAGE, CUSTOMER, CONTACT = range(KIND_COUNT)
TITLE_WEIGHT = 4.0  # a word in a subject or a name counts four times one in a body


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One index row that matched: which source row, and how well (higher is better)."""

    kind: int
    row_id: int
    score: float


class SearchIndex(Protocol):
    """The best index rows for the terms, best first."""

    def hits(self, terms: list[SearchTerm], limit: int) -> list[IndexHit]: ...


def _hit(index_id: int, score: float) -> IndexHit:
    row_id, kind = divmod(int(index_id), KIND_COUNT)
    return IndexHit(kind, row_id, float(score))


class Fts5Index:
    """SQLite: the contentless FTS5 table `search_index`, ranked by BM25."""

    def __init__(self, db: pw.Database) -> None:
        self.db = db

    @staticmethod
    def match_expression(terms: list[SearchTerm]) -> str:
        """FTS5 query syntax: every term, each as one or more quoted prefixes."""
        def one(term: SearchTerm) -> str:
            star = "" if term.exact else "*"
            return "(" + " OR ".join(f'"{p}"{star}' for p in term.prefixes) + ")"
        return " AND ".join(one(term) for term in terms)

    def hits(self, terms: list[SearchTerm], limit: int) -> list[IndexHit]:
        # bm25() is lower for better matches; the column weights favour titles
        cursor = self.db.execute_sql(
            "SELECT rowid, bm25(search_index, ?, 1.0) AS score FROM search_index "
            "WHERE search_index MATCH ? ORDER BY score LIMIT ?",
            (TITLE_WEIGHT, self.match_expression(terms), limit))
        return [_hit(row_id, -score) for row_id, score in cursor.fetchall()]


class PostgresIndex:
    """PostgreSQL: `search_index.words` (tsvector, GIN), ranked by ts_rank."""

    def __init__(self, db: pw.Database) -> None:
        self.db = db

    @staticmethod
    def tsquery(terms: list[SearchTerm]) -> str:
        """to_tsquery syntax: every term, each as one or more prefixes."""
        def one(term: SearchTerm) -> str:
            star = "" if term.exact else ":*"
            return "(" + " | ".join(f"{p}{star}" for p in term.prefixes) + ")"
        return " & ".join(one(term) for term in terms)

    def hits(self, terms: list[SearchTerm], limit: int) -> list[IndexHit]:
        # weights D, C, B, A: a title (A) word counts TITLE_WEIGHT times a body (B) word
        cursor = self.db.execute_sql(
            "SELECT id, ts_rank(%s::real[], words, q) AS score "
            "FROM search_index, to_tsquery('simple', %s) AS q "
            "WHERE words @@ q ORDER BY score DESC, id DESC LIMIT %s",
            ([0.1, 0.2, 1.0 / TITLE_WEIGHT, 1.0], self.tsquery(terms), limit))
        return [_hit(row_id, score) for row_id, score in cursor.fetchall()]


def index_of(db: pw.Database) -> SearchIndex:
    """The search index of this database."""
    if isinstance(db, pw.PostgresqlDatabase):
        return PostgresIndex(db)
    return Fts5Index(db)
