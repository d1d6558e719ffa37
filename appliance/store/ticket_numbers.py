"""Human ticket numbers (#1042): handed out once and never again.

Retention and erasure delete old tickets; a number taken from MAX(number) + 1
alone would then be handed out a second time, and a customer's reply quoting
the old "[#1042]" would thread onto a stranger's ticket. A high-water mark in
the Meta table remembers the largest number ever given.
"""

from __future__ import annotations

import peewee as pw

from appliance.store.quick_sql import run_sql

FIRST_TICKET_NUMBER = 1001
HIGH_WATER_KEY = "ticket_number_high_water"


def next_ticket_number(db: pw.Database) -> int:
    """The next number; call inside the write transaction that inserts the ticket.

    Plain SQL: the mail intake asks for one per new ticket, and building these
    statements with the query builder cost more than running them.
    """
    p = db.param
    top, high = run_sql(db,
        f'SELECT (SELECT MAX("number") FROM "ticket"), '
        f'(SELECT "value" FROM "meta" WHERE "key" = {p})', (HIGH_WATER_KEY,)).fetchone()
    number = max(FIRST_TICKET_NUMBER, (top or 0) + 1, int(high or 0) + 1)
    # ON CONFLICT ... DO UPDATE: PostgreSQL 9.5+, SQLite 3.24+.
    run_sql(db,
        f'INSERT INTO "meta" ("key", "value") VALUES ({p}, {p}) '
        'ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value"',
        (HIGH_WATER_KEY, str(number)))
    return number
