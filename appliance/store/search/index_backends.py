"""The search index behind one interface: SQLite's FTS5 or PostgreSQL's full-text search.

Both index the same rows the same way (schema step 8); both take the terms of
`query_terms` and answer the best matching rows, best first. The match expression is
built from letters and digits only, and passed as a parameter.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Protocol

import peewee as pw

from appliance.store.migrations.v8_search_pending import (
    KIND_SPAN,
    KINDS,
    TEXT_CAP,
    postgres_words,
)
from appliance.store.search.query_terms import SearchTerm

KIND_COUNT = len(KINDS)  # an FTS5 row's id is its kind × KIND_SPAN + the source row's id
TICKET, MESSAGE, CUSTOMER, CONTACT = range(KIND_COUNT)
TITLE_WEIGHT = 4.0  # a word in a subject or a name counts four times one in a body
# Rows ranked per kind at most: a word in nearly every mail ("ja", "the") would otherwise
# be ranked row by row through the whole index; past this many matches, the newest count.
RANK_WINDOW = 2_000
# PostgreSQL finds the newest matches of a common search by walking the rows newest first
# (the GIN index holds no row order), and ranks a match only after taking its words apart
# again (the GIN index stores no positions): 0.1-0.2 ms a row (0.03 ms for one term, whose
# matching words alone are taken apart: `_term_words`), so a smaller window, four
# times the 25 tickets a page shows (250 missed the p99 goal by the words in most mails:
# bench/search.py). The walk takes a row's words apart only when its lower-cased text has
# every term at the start of a word (a regular expression, ~5 µs a row), so it costs about
# a tenth of a millisecond a match, whatever the share of rows that do not match. A search
# its statistics say matches under COMMON_SHARE of a table's rows takes the GIN index
# instead: walking for it could read the whole table, where the index reads its matches.
PG_RANK_WINDOW = 100
COMMON_SHARE = 0.05
STATISTICS_KEPT_S = 60.0  # how long a table's word frequencies (pg_stats) are reused
# A prefix that begins at most this many indexed words is searched as those words: FTS5
# then walks their lists lazily, where a prefix query first merges every list in full.
MAX_EXPANSION = 64


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One index row that matched: which source row, and how well (higher is better)."""

    kind: int
    row_id: int
    score: float


class SearchIndex(Protocol):
    """The best matching rows for the terms, at most `limit` of each kind (so customers are
    not crowded out by a word in many mails), best first."""

    def hits(self, terms: list[SearchTerm], limit: int) -> list[IndexHit]: ...


def _hit(index_id: int, score: float) -> IndexHit:
    kind, row_id = divmod(int(index_id), KIND_SPAN)
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

    def expanded(self, terms: list[SearchTerm]) -> list[SearchTerm] | None:
        """The terms with their prefixes spelled out as the indexed words they begin;
        None when some term begins no indexed word (then nothing can match)."""
        self.db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_index_words "
                            "USING fts5vocab(main, search_index, 'row')")
        spelled = []
        for term in terms:
            if term.exact:
                spelled.append(term)
                continue
            words: list[str] = []
            for prefix in term.prefixes:
                following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
                words += [row[0] for row in self.db.execute_sql(
                    "SELECT term FROM temp.search_index_words WHERE term >= ? AND term < ? "
                    "LIMIT ?", (prefix, following, MAX_EXPANSION + 1)).fetchall()]
            if not words:
                return None
            spelled.append(term if len(words) > MAX_EXPANSION else
                           SearchTerm(term.word, tuple(dict.fromkeys(words)), exact=True))
        return spelled

    def hits(self, terms: list[SearchTerm], limit: int) -> list[IndexHit]:
        spelled = self.expanded(terms)
        if spelled is None:
            return []
        expression = self.match_expression(spelled)
        found: list[IndexHit] = []
        for kind in range(KIND_COUNT):
            found += self._ranked(expression, kind, limit)
        found.sort(key=lambda hit: hit.score, reverse=True)
        return found

    def _ranked(self, expression: str, kind: int, limit: int) -> list[IndexHit]:
        low, high = kind * KIND_SPAN, (kind + 1) * KIND_SPAN - 1
        # FTS5 walks a match in rowid order and seeks to a rowid range: the oldest of the
        # newest RANK_WINDOW matches costs a walk of that many rows, no ranking
        oldest_ranked = self.db.execute_sql(
            "SELECT rowid FROM search_index WHERE search_index MATCH ? "
            "AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (expression, low, high, RANK_WINDOW - 1)).fetchone()
        if oldest_ranked is not None:
            low = oldest_ranked[0]
        # bm25() is lower for better matches; the column weights favour titles
        cursor = self.db.execute_sql(
            "SELECT rowid, bm25(search_index, ?, 1.0) AS score FROM search_index "
            "WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY score LIMIT ?",
            (TITLE_WEIGHT, expression, low, high, limit))
        return [_hit(row_id, -score) for row_id, score in cursor.fetchall()]


class PostgresIndex:
    """PostgreSQL: a GIN expression index on each searched table, ranked by ts_rank."""

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
        query = self.tsquery(terms)
        found: list[IndexHit] = []
        for kind in range(KIND_COUNT):
            table = KINDS[kind][0]
            words = postgres_words(kind)  # as the index holds it, or the index goes unused
            # what ranks a match: for one term its words alone rank as all of them (below)
            ranked, ranked_parameters = words, []
            if len(terms) == 1:
                ranked, ranked_parameters = self._term_words(kind), [self.words_of(terms[0])] * 2
            if self.share(table, terms) >= COMMON_SHARE:
                clues = " AND ".join(f"{self._lowered_text(kind)} ~ %s" for _ in terms)
                matches = self._walked_matches(table, ranked, clues)
                parameters = [*(self.clue(t) for t in terms), *ranked_parameters, query]
            else:
                matches = self._indexed_matches(table, words, ranked)
                parameters = [*ranked_parameters, query]
            # the newest PG_RANK_WINDOW matches are ranked, as with FTS5; weights D, C, B, A:
            # a title (A) word counts TITLE_WEIGHT times a body (B) word
            cursor = self.db.execute_sql(
                f"SELECT id, ts_rank(%s::real[], v, q) AS score FROM ({matches}) AS m, "
                f"to_tsquery('simple', %s) AS q ORDER BY score DESC, id DESC LIMIT %s",
                [[0.1, 0.2, 1.0 / TITLE_WEIGHT, 1.0], *parameters, query, limit])
            found += [IndexHit(kind, int(row_id), float(score))
                      for row_id, score in cursor.fetchall()]
        found.sort(key=lambda hit: hit.score, reverse=True)
        return found

    @staticmethod
    def _alternatives(term: SearchTerm) -> str:
        # the prefixes are letters and digits; anything else would be escaped all the same
        return "|".join(re.sub(r"([^\w])", r"\\\1", p) for p in term.prefixes)

    @classmethod
    def clue(cls, term: SearchTerm) -> str:
        """A regular expression that a row's lower-cased text matches wherever the term
        matches its words: one of the prefixes at the start of a word (at its end too, for
        an exact term). Words end where the index splits them, at anything but a letter or
        a digit."""
        end = "($|[^[:alnum:]])" if term.exact else ""
        return f"(^|[^[:alnum:]])({cls._alternatives(term)}){end}"

    @classmethod
    def words_of(cls, term: SearchTerm) -> str:
        """A regular expression whose first group, matched over and over, is each word of
        a lower-cased text that the term matches, in the order of the text."""
        word = "(?![[:alnum:]])" if term.exact else "[[:alnum:]]*"
        return f"(?:^|[^[:alnum:]])((?:{cls._alternatives(term)}){word})"

    @staticmethod
    def _term_words(kind: int) -> str:
        """The words of a row that one term matches, as a tsvector weighted as the index
        weighs them (title A, body B); the term's `words_of` is a parameter, twice.

        ts_rank ranks a one-term query (calc_rank_or) by each matching word's weights in
        the order they come, not by where they stand or by the other words: this vector
        ranks as the row's whole words do, for a fraction of the cost of taking the whole
        text apart (0.1-0.2 ms a message). Not so for a text of over 16,383 words, where
        PostgreSQL counts the later ones as one, nor for two terms, where ts_rank weighs
        how near they stand (calc_rank_and): then the whole words rank."""
        _, title, body = KINDS[kind]

        def part(expression: str, weight: str) -> str:
            text = f"lower(left(coalesce({expression.format(r='')}, ''), {TEXT_CAP}))"
            found = f"ARRAY(SELECT m[1] FROM regexp_matches({text}, %s, 'g') AS m)"
            return (f"setweight(to_tsvector('simple'::regconfig, "
                    f"array_to_string({found}, ' ')), '{weight}')")

        return f"({part(title, 'A')} || {part(body, 'B')})"

    @staticmethod
    def _lowered_text(kind: int) -> str:
        """A row's indexed text, title and body, lower-cased as the index lower-cases it."""
        _, title, body = KINDS[kind]
        return (f"lower(coalesce({title.format(r='')}, '') || ' ' || "
                f"coalesce({body.format(r='')}, ''))")

    @staticmethod
    def _walked_matches(table: str, ranked: str, clues: str) -> str:
        """The newest PG_RANK_WINDOW matching rows as (id, v: what ranks them), walked
        newest first by the primary key; the clues' expressions, then the ranked words',
        then the query are parameters. A row's words are made only when its text has the
        clues (v is NULL otherwise, and matches nothing), and once, for the match and the
        rank (OFFSET 0 keeps PostgreSQL from inlining them into both, which made them twice
        for every ranked row). Inside the sub-select, the clues leave the plan as it was
        without them: as a filter of the scan they made the planner guess few matches and
        sort the whole table instead."""
        return (f"SELECT id, v FROM {table}, LATERAL (SELECT CASE WHEN {clues} THEN {ranked} "
                f"END AS v OFFSET 0) AS w WHERE v @@ to_tsquery('simple', %s) "
                f"ORDER BY id DESC LIMIT {PG_RANK_WINDOW}")

    @staticmethod
    def _indexed_matches(table: str, words: str, ranked: str) -> str:
        """The newest PG_RANK_WINDOW matching rows as (id, v: what ranks them), found by
        the GIN index (`id + 0` keeps the planner from the walk above); v is made after
        the sort, for the PG_RANK_WINDOW rows kept. The ranked words' expressions, then
        the query, are parameters."""
        return (f"SELECT id, {ranked} AS v FROM {table} WHERE {words} @@ "
                f"to_tsquery('simple', %s) ORDER BY id + 0 DESC LIMIT {PG_RANK_WINDOW}")

    def share(self, table: str, terms: list[SearchTerm]) -> float:
        """The share of the table's rows the terms match together, as far as PostgreSQL's
        statistics of its search index tell (the most common words; others count 0)."""
        frequencies = self._frequencies(table)
        share = 1.0
        for term in terms:
            matched = sum(f for word, f in frequencies.items() if any(
                word == p if term.exact else word.startswith(p) for p in term.prefixes))
            share *= min(1.0, matched)
        return share

    def _frequencies(self, table: str) -> dict[str, float]:
        key = (str(self.db.database), table)
        kept = _FREQUENCIES.get(key)
        if kept is not None and time.monotonic() - kept[0] < STATISTICS_KEPT_S:
            return kept[1]
        row = self.db.execute_sql(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'expr'", (f"search_{table}_words",)).fetchone()
        frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        _FREQUENCIES[key] = (time.monotonic(), frequencies)
        return frequencies


# (database, table) -> (when read, word -> share of rows): the planner's own statistics
_FREQUENCIES: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}


def index_of(db: pw.Database) -> SearchIndex:
    """The search index of this database."""
    if isinstance(db, pw.PostgresqlDatabase):
        return PostgresIndex(db)
    return Fts5Index(db)
