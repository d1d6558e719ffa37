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

    def close(self) -> None:
        """Close this thread's connection and stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._executor.submit(self.db.close).result()
        self._executor.shutdown(wait=True)
