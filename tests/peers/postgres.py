"""A fresh PostgreSQL database per test on the server at 127.0.0.1:5432, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

POSTGRES_HOST = "127.0.0.1"
POSTGRES_PORT = 5432
POSTGRES_USER = "postgres"
CONNECT_TIMEOUT_S = 3


@dataclass(frozen=True)
class PostgresDatabase:
    """One throwaway database: where it is and how to reach it."""

    host: str
    port: int
    user: str
    dbname: str

    @property
    def url(self) -> str:
        """The database URL, e.g. postgresql://postgres@127.0.0.1:5432/aspa_test_x."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def connect(self) -> Any:
        """Return a new psycopg2 connection to this database."""
        import psycopg2

        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=self.dbname,
            connect_timeout=CONNECT_TIMEOUT_S,
        )


class PostgresServer:
    """The shared server, reached through its maintenance database `postgres`."""

    def __init__(self, host: str = POSTGRES_HOST, port: int = POSTGRES_PORT) -> None:
        self.host = host
        self.port = port
        self.user = POSTGRES_USER

    def _admin(self) -> Any:
        """Connect to the `postgres` database in autocommit (CREATE DATABASE needs it)."""
        import psycopg2

        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname="postgres",
            connect_timeout=CONNECT_TIMEOUT_S,
        )
        conn.autocommit = True
        return conn

    def check_reachable(self) -> None:
        """Skip the test with the reason when the server cannot be reached."""
        try:
            import psycopg2
        except ImportError:
            pytest.skip("psycopg2 not installed: pip install 'aspa[test]' (psycopg2-binary)")
        try:
            self._admin().close()
        except psycopg2.Error as error:
            reason = str(error).strip().replace("\n", " ")
            pytest.skip(f"PostgreSQL not reachable at {self.host}:{self.port}: {reason}")

    def create_database(self) -> PostgresDatabase:
        """Create an empty database with a random name."""
        dbname = f"aspa_test_{secrets.token_hex(6)}"
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            conn.close()
        return PostgresDatabase(self.host, self.port, self.user, dbname)

    def drop_database(self, database: PostgresDatabase) -> None:
        """Drop a database, ending any session a test left open (PostgreSQL 13+)."""
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{database.dbname}" WITH (FORCE)')
        finally:
            conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """Check once per session that PostgreSQL answers; skip every user of it if not."""
    server = PostgresServer()
    server.check_reachable()
    return server


@pytest.fixture
def postgres_db(postgres_server: PostgresServer) -> Iterator[PostgresDatabase]:
    """Give a test its own empty database, dropped when the test ends."""
    database = postgres_server.create_database()
    try:
        yield database
    finally:
        postgres_server.drop_database(database)
