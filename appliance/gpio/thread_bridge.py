"""gpiozero calls its callbacks in its own threads: hand each one to the asyncio loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("aspa.gpio")


class LoopBridge:
    """Runs callbacks from gpiozero's threads on one event loop, in the order they came."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def call(self, handler: Callable[..., Any], *args: Any) -> None:
        """Schedule `handler(*args)` on the loop; safe from any thread."""
        try:
            self._loop.call_soon_threadsafe(handler, *args)
        except RuntimeError:
            # The loop closed while a button was being pressed during shutdown.
            log.debug("button event after the loop closed: %s", getattr(handler, "__name__", ""))
