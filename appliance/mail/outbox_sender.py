"""The daemon part that empties the outbox over SMTP, retrying with backoff, health visible."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable

import peewee as pw

from appliance.config.sections.mail import SmtpSettings
from appliance.mail import smtp_sender
from appliance.mail.outbox import PENDING, REFUSED, attempt, due
from appliance.ports.adapter import AdapterHealth
from appliance.spine.clock import Clock
from appliance.spine.events import Event, HealthChanged
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import database_proxy

log = logging.getLogger("aspa.mail.outbox")

LOOK_EVERY_S = 5.0  # retries come due by the clock; a queued reply wakes the sender at once
PART = "mail:smtp"


class OutboxSender:
    """Sends due outgoing mail; SMTP trouble becomes health, and the mail waits for a retry."""

    def __init__(self, settings: SmtpSettings, publish: Callable[[Event], None],
                 clock: Clock) -> None:
        self.settings = settings
        self.publish = publish
        self.clock = clock
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._health = AdapterHealth(ok=True, detail="nothing sent yet")

    @property
    def name(self) -> str:
        """The adapter's name in health and logs."""
        return "mail-outbox"

    async def start(self) -> None:
        """Start the sending loop."""
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run_forever(), name="mail-outbox")

    async def stop(self) -> None:
        """Stop after the mail being sent."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def health(self) -> AdapterHealth:
        """Whether the last attempt worked, and what waits."""
        return self._health

    def notify(self) -> None:
        """Something was queued: look at the outbox now (callable from any thread)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)
        else:
            self._wake.set()

    async def _run_forever(self) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:  # keep the loop alive; the rows keep their state
                log.exception("outbox round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), LOOK_EVERY_S)
            self._wake.clear()

    async def send_due(self) -> int:
        """Try every due mail once; returns how many the server took."""
        self._loop = asyncio.get_running_loop()
        return await asyncio.to_thread(self._send_due_blocking)

    def _send_due_blocking(self) -> int:
        send = functools.partial(smtp_sender.send, self.settings)
        sent = 0
        try:
            for row in due(self.clock.now()):
                if attempt(row, send, self.clock):
                    sent += 1
                    self._set_health(True, "sending")
                elif row.state == PENDING:
                    self._set_health(False, row.last_error or "sending failed")
        finally:
            if not database_proxy.is_closed():
                database_proxy.close()
        return sent

    def _set_health(self, ok: bool, detail: str) -> None:
        changed = ok != self._health.ok
        self._health = AdapterHealth(ok=ok, detail=detail)
        if changed:
            event = HealthChanged(at=self.clock.now(), part=PART, ok=ok, detail=detail)
            # This runs in the sending thread; the bus belongs to the loop.
            if self._loop is not None:
                self._loop.call_soon_threadsafe(self.publish, event)
            else:
                self.publish(event)


def waiting_counts() -> dict[str, int]:
    """Outgoing mail by state, for the web page and `aspa doctor`."""
    query = (OutgoingMail.select(OutgoingMail.state, pw.fn.COUNT(OutgoingMail.id).alias("n"))
             .group_by(OutgoingMail.state))
    counts = {PENDING: 0, REFUSED: 0}
    pairs: list[tuple[str, int]] = list(query.tuples())  # type: ignore[arg-type]
    counts.update({str(state): int(n) for state, n in pairs})
    return counts
