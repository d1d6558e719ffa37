"""Starts adapters, retries the ones that fail with backoff, and stops them in reverse order.

A part that cannot start (modem unplugged, mailbox down, port taken) is
reported and retried; it never takes the daemon down with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from appliance.ports.adapter import Adapter, AdapterHealth, InputGate
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import HealthChanged

log = logging.getLogger("aspa.supervisor")

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 60.0
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0

Sleep = Callable[[float], Awaitable[None]]


class _Slot:
    """One adapter and where it stands."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self.started = False
        self.attempts = 0
        self.last_error = ""
        self.first_attempt_done = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class AdapterSupervisor:
    """Keeps each adapter started, or retrying, until stop_all()."""

    def __init__(
        self,
        bus: EventBus,
        clock: Clock,
        *,
        first_retry: float = FIRST_RETRY_S,
        max_retry: float = MAX_RETRY_S,
        start_timeout: float = START_TIMEOUT_S,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bus = bus
        self._clock = clock
        self._first_retry = first_retry
        self._max_retry = max_retry
        self._start_timeout = start_timeout
        self._sleep = sleep
        self._slots: list[_Slot] = []

    def add(self, adapter: Adapter) -> None:
        if any(s.adapter.name == adapter.name for s in self._slots):
            raise ValueError(f"two adapters named {adapter.name!r}")
        self._slots.append(_Slot(adapter))

    @property
    def adapters(self) -> tuple[Adapter, ...]:
        return tuple(s.adapter for s in self._slots)

    def named(self, name: str) -> Adapter | None:
        """The adapter of this name, if the box runs one."""
        return next((s.adapter for s in self._slots if s.adapter.name == name), None)

    async def start_all(self) -> None:
        """Start every adapter; returns once each has had its first try."""
        for slot in self._slots:
            slot.task = asyncio.create_task(self._keep_starting(slot),
                                            name=f"start:{slot.adapter.name}")
        for slot in self._slots:
            await slot.first_attempt_done.wait()

    async def replace(self, names: Sequence[str], adapters: Sequence[Adapter]) -> None:
        """Stop the adapters named (those present), then start `adapters` in their place.

        Settings saved on the web page take effect this way: only the parts they
        concern restart, the rest of the box (and its calls) goes on. Returns once each
        new adapter has had its first try; one that fails is retried like at start.
        """
        old = [slot for slot in self._slots if slot.adapter.name in names]
        for slot in reversed(old):
            await self._stop_slot(slot)
        at = self._slots.index(old[0]) if old else len(self._slots)
        self._slots = [slot for slot in self._slots if slot not in old]
        new = [_Slot(adapter) for adapter in adapters]
        taken = {slot.adapter.name for slot in self._slots}
        clash = [slot.adapter.name for slot in new if slot.adapter.name in taken]
        if clash:
            raise ValueError(f"two adapters named {clash[0]!r}")
        self._slots[at:at] = new
        for slot in new:
            log.info("%s: restarting with the saved settings", slot.adapter.name)
            slot.task = asyncio.create_task(self._keep_starting(slot),
                                            name=f"start:{slot.adapter.name}")
        for slot in new:
            await slot.first_attempt_done.wait()

    async def restart(self, name: str) -> None:
        """Stop adapter `name` and start the same object again (it reread its settings)."""
        slot = next(slot for slot in self._slots if slot.adapter.name == name)
        await self.replace([name], [slot.adapter])

    async def _stop_slot(self, slot: _Slot) -> None:
        """Cancel the slot's retries and stop its adapter if it runs."""
        if slot.task is not None and not slot.task.done():
            slot.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await slot.task
        if slot.started:
            await self._stop_quietly(slot.adapter)
            slot.started = False

    async def _keep_starting(self, slot: _Slot) -> None:
        delay = self._first_retry
        name = slot.adapter.name
        while True:
            slot.attempts += 1
            try:
                async with asyncio.timeout(self._start_timeout):
                    await slot.adapter.start()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                slot.last_error = _reason(error)
                log.error("%s did not start (attempt %d): %s; retrying in %.0f s",
                          name, slot.attempts, slot.last_error, delay)
                self._report(name, ok=False, detail=slot.last_error)
                slot.first_attempt_done.set()
                await self._stop_quietly(slot.adapter)
                await self._sleep(delay)
                delay = min(delay * 2, self._max_retry)
                continue
            slot.started = True
            slot.last_error = ""
            log.info("%s started", name)
            self._report(name, ok=True, detail="started")
            slot.first_attempt_done.set()
            return

    def _report(self, part: str, *, ok: bool, detail: str) -> None:
        self._bus.publish(HealthChanged(at=self._clock.now(), part=part, ok=ok, detail=detail))

    async def stop_input(self) -> None:
        """Ask every started adapter that can to refuse new input."""
        for slot in reversed(self._slots):
            if slot.started and isinstance(slot.adapter, InputGate):
                try:
                    async with asyncio.timeout(STOP_TIMEOUT_S):
                        await slot.adapter.stop_input()
                except Exception as error:  # one part failing to pause must not stop the others
                    log.error("%s: stopping input failed: %s", slot.adapter.name, _reason(error))

    async def stop_all(self) -> None:
        """Cancel pending retries, then stop the adapters in reverse start order."""
        for slot in self._slots:
            if slot.task is not None and not slot.task.done():
                slot.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await slot.task
        for slot in reversed(list(self._slots)):
            if slot.started:
                await self._stop_quietly(slot.adapter)
                slot.started = False

    async def _stop_quietly(self, adapter: Adapter) -> None:
        try:
            async with asyncio.timeout(STOP_TIMEOUT_S):
                await adapter.stop()
        except Exception as error:
            log.error("%s did not stop cleanly: %s", adapter.name, _reason(error))

    def health(self) -> dict[str, AdapterHealth]:
        """Every adapter's health; one not started says why."""
        out: dict[str, AdapterHealth] = {}
        for slot in self._slots:
            if slot.started:
                out[slot.adapter.name] = slot.adapter.health()
            else:
                detail = f"not started: {slot.last_error}" if slot.last_error else "starting"
                out[slot.adapter.name] = AdapterHealth(ok=False, detail=detail)
        return out


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    text = str(error) or type(error).__name__
    return " ".join(text.split())
