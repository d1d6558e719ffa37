"""Rendered queue views kept until the queue next changes: most page loads change nothing.

Every bus event (after the core has filed it), every change made through
the web and every viewer coming or going moves the version on; an entry of
an older version is never served.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

MAX_ENTRIES = 256  # filters x languages x agents in a small office


class QueueCache:
    """A version number and the views rendered at it."""

    def __init__(self) -> None:
        self.version = 0
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._building: dict[tuple[int, Hashable], asyncio.Future[Any]] = {}

    def bump(self) -> None:
        """Something the queue views show may have changed."""
        self.version += 1
        self._entries.clear()

    def peek(self, key: Hashable) -> Any:
        """The value for `key` at the current version, or None (then `get` builds it)."""
        found = self._entries.get(key)
        if found is not None and found[0] == self.version:
            return found[1]
        return None

    async def get(self, key: Hashable, build: Callable[[], Awaitable[Any]]) -> Any:
        """The value for `key` at the current version, built when missing."""
        found = self._entries.get(key)
        if found is not None and found[0] == self.version:
            self._entries.move_to_end(key)
            return found[1]
        version = self.version
        pending = self._building.get((version, key))
        if pending is not None:
            return await asyncio.shield(pending)  # many asked at once: build it once
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._building[(version, key)] = future
        try:
            value = await build()
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(error)
                future.exception()  # marked as seen: waiters get it, unawaited is no error
            raise
        finally:
            del self._building[(version, key)]
        future.set_result(value)
        if version == self.version:  # nothing changed while building: safe to keep
            self._entries[key] = (version, value)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return value
