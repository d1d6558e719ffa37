"""Ending a background task: let it finish what it is doing, then cancel it if it will not."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def finish_or_cancel(task: asyncio.Task[Any], timeout_s: float) -> None:
    """Wait up to `timeout_s` for the task to end by itself; then cancel it and wait."""
    try:
        async with asyncio.timeout(timeout_s):
            await task
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
