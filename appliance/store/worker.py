"""The store's thread: blocking database calls run here, off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

import peewee as pw

P = ParamSpec("P")
T = TypeVar("T")


def release_connection_memory(db: pw.Database) -> None:
    """Free the calling thread's SQLite connection's page cache (sqlite3_db_release_memory).

    The cache fills again as pages are read; after a burst (a mail backlog) the pages it
    read stay in memory otherwise (sqlite.org/pragma.html#pragma_shrink_memory).
    """
    if isinstance(db, pw.SqliteDatabase) and not db.is_closed():
        db.execute_sql("PRAGMA shrink_memory")


class StoreWorker:
    """One thread (so one connection) doing the store's work for the asyncio side."""

    def __init__(self, db: pw.Database, name: str = "store") -> None:
        self.db = db
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` in the store thread and return its result."""
        return await self.submit(fn, *args, **kwargs)

    def submit(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> asyncio.Future[T]:
        """Queue `fn(*args, **kwargs)` now, ahead of any later call; its future.

        The one thread runs calls in the order they were queued, so work submitted
        here and not awaited still happens before whatever is queued after it.
        """
        loop = asyncio.get_running_loop()
        return loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def release_memory(self) -> None:
        """Hand back what this thread's SQLite connection holds beyond its schema (page cache)."""
        if isinstance(self.db, pw.SqliteDatabase):
            await self.call(release_connection_memory, self.db)

    def close(self) -> None:
        """Close this thread's connection and stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self.db.close).result()
        self._executor.shutdown(wait=True)
