"""Schema step 8: the search index over tickets, messages and notes, customers and their
numbers and addresses, kept by database triggers; the pending ticket's return time and reason.

The index is SQLite's FTS5 (a contentless table: the words are not stored twice), kept
by triggers on the source tables, or, on PostgreSQL, a GIN expression index on each
source table. Either is kept as rows are written, by whichever process writes them (the
daemon, `aspa mail import`, retention, erasure), and the step fills it from the rows
already there.

Words are indexed as written (lower-cased, split at anything that is not a letter or a
digit); the Finnish and English word forms meet at query time (`appliance.store.search`).
In FTS5 a row's id is its kind (`KINDS`) × 2⁴⁰ + the source row's id: each kind has a
range of its own, so the newest matches of one kind are a cheap range read.

Frozen like the steps before: never edit this file once released.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

TEXT_CAP = 100_000  # characters of one row indexed; PostgreSQL refuses a tsvector over 1 MB
KIND_SPAN = 2**40  # ids of one kind of row in the index

# kind number: (table, title expression, body expression); {r} is "NEW.", "OLD." or ""
KINDS: dict[int, tuple[str, str, str]] = {
    0: ("ticket", "{r}subject", "CAST({r}number AS TEXT)"),
    1: ("message", "{r}subject", "{r}body_text || ' ' || {r}sender"),
    2: ("customer", "{r}name", "{r}notes"),
    3: ("contact_point", "{r}value", "''"),
}
WATCHED_COLUMNS = {
    "ticket": "subject, number",
    "message": "subject, body_text, sender",
    "customer": "name, notes",
    "contact_point": "value",
}


def apply(db: pw.Database) -> None:
    """Add the pending columns, create the search index with its triggers, fill it."""
    migrator = SchemaMigrator.from_database(db)
    reason = pw.TextField()
    # NOT NULL DEFAULT '' in one ALTER TABLE: SQLite then needs no table rebuild (a rebuild
    # drops the ticket table, and with it, by cascade, every message).
    reason.constraints = [pw.SQL("DEFAULT ''")]
    migrate(
        migrator.add_column("ticket", "pending_until", pw.DateTimeField(null=True)),
        migrator.add_column("ticket", "pending_reason", reason, allow_not_null=True),
        migrator.add_index("ticket", ("status", "pending_until"), False),
    )
    if isinstance(db, pw.PostgresqlDatabase):
        _postgres(db)
    else:
        _sqlite(db)


def _capped(expression: str, db: pw.Database) -> str:
    if isinstance(db, pw.PostgresqlDatabase):
        return f"left(coalesce({expression}, ''), {TEXT_CAP})"
    return f"substr(coalesce({expression}, ''), 1, {TEXT_CAP})"


def _sqlite(db: pw.Database) -> None:
    # unicode61 without diacritics folding: ä and ö are letters of their own in Finnish.
    db.execute_sql(
        "CREATE VIRTUAL TABLE search_index USING fts5(title, body, content='', "
        "tokenize='unicode61 remove_diacritics 0', detail=column)"
    )
    for kind, (table, title, body) in KINDS.items():
        def row(r: str, title: str = title, body: str = body, kind: int = kind) -> str:
            return (f"{kind * KIND_SPAN} + {r}id, {_capped(title.format(r=r), db)}, "
                    f"{_capped(body.format(r=r), db)}")

        add = f"INSERT INTO search_index (rowid, title, body) VALUES ({row('NEW.')});"
        # a contentless FTS5 table forgets a row when told the words it was given
        drop = (f"INSERT INTO search_index (search_index, rowid, title, body) "
                f"VALUES ('delete', {row('OLD.')});")
        db.execute_sql(f"CREATE TRIGGER search_{table}_added AFTER INSERT ON {table} "
                       f"BEGIN {add} END")
        db.execute_sql(f"CREATE TRIGGER search_{table}_changed AFTER UPDATE OF "
                       f"{WATCHED_COLUMNS[table]} ON {table} BEGIN {drop} {add} END")
        db.execute_sql(f"CREATE TRIGGER search_{table}_removed AFTER DELETE ON {table} "
                       f"BEGIN {drop} END")
        db.execute_sql(f"INSERT INTO search_index (rowid, title, body) "
                       f"SELECT {row('')} FROM {table}")
    db.execute_sql("INSERT INTO search_index (search_index) VALUES ('optimize')")


def postgres_words(kind: int) -> str:
    """The tsvector of a row of `kind` (its own columns, unqualified), as the GIN index of
    this step holds it: a query must spell it the same for PostgreSQL to use that index."""
    _, title, body = KINDS[kind]

    def part(expression: str, weight: str) -> str:
        # split where FTS5's unicode61 splits: at anything but a letter or a digit
        plain = (f"regexp_replace(left(coalesce({expression.format(r='')}, ''), {TEXT_CAP}), "
                 f"'[^[:alnum:]]+', ' ', 'g')")
        return f"setweight(to_tsvector('simple'::regconfig, {plain}), '{weight}')"

    return f"({part(title, 'A')} || {part(body, 'B')})"


def _postgres(db: pw.Database) -> None:
    # An expression index on each table: PostgreSQL keeps it as rows are written, and
    # nothing is stored twice (a table of tsvectors was larger than the text itself).
    for kind, (table, _, _) in KINDS.items():
        db.execute_sql(f"CREATE INDEX search_{table}_words ON {table} "
                       f"USING GIN ({postgres_words(kind)})")
