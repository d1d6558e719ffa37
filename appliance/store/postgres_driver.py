"""PostgreSQL's driver, kept out of a process whose database is an SQLite file.

peewee imports psycopg2 as it is itself imported, whenever it can: with libpq and
the wheel's own OpenSSL, Kerberos and LDAP libraries that is about 6 MB resident
(bench/memory.py), held for nothing by a daemon on SQLite. The database is read
at start only (runtime/live_config.py), so the daemon knows before it imports
the store whether it will ever need the driver. A module marked None in
sys.modules fails to import, and peewee's import of the driver is guarded by
`except ImportError`: it then simply has no PostgreSQL.
"""

from __future__ import annotations

import sys

from appliance.store.database_url import is_postgres_url

DRIVER_MODULES = ("psycopg2", "psycopg")  # peewee tries both


def leave_driver_out(database_url: str) -> bool:
    """Before peewee's first import: mark the driver absent unless the URL is PostgreSQL's.

    True when it was kept out; False for a PostgreSQL URL, or when peewee (and with
    it the driver) is loaded already, as in a process that opened a store before.
    """
    if is_postgres_url(database_url) or "peewee" in sys.modules:
        return False
    for name in DRIVER_MODULES:
        if name in sys.modules:
            return False
    for name in DRIVER_MODULES:
        sys.modules[name] = None  # type: ignore[assignment]
    return True
