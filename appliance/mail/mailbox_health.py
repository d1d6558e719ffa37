"""A mailbox's health: kept in MailboxState, told on the bus when it changes, never silent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from appliance.mail.article_writer import WRITE_LOCK
from appliance.spine.clock import Clock
from appliance.spine.events import Event, HealthChanged
from appliance.store.models import MailboxState, database_proxy

log = logging.getLogger("aspa.mail.intake")


@dataclass
class MailboxHealth:
    """The mailbox's state as the web page and `aspa doctor` show it."""

    ok: bool = False
    detail: str = "not connected yet"
    taken_in: int = 0


class MailboxHealthReporter:
    """Records each change of a mailbox's health and publishes a HealthChanged event."""

    def __init__(self, mailbox: str, publish: Callable[[Event], None], clock: Clock) -> None:
        self.mailbox = mailbox
        self.publish = publish
        self.clock = clock
        self.health = MailboxHealth()
        self.failures = 0  # consecutive, for the reconnect delay

    @property
    def part(self) -> str:
        """The name health events carry."""
        return f"mail:{self.mailbox}"

    def healthy(self) -> None:
        """A sync went through: clear the error once, say so once."""
        self.failures = 0
        if self.health.ok:
            return
        self.health.ok = True
        self.health.detail = "connected"
        self._record(None)
        self.publish(HealthChanged(at=self.clock.now(), part=self.part, ok=True,
                                   detail="connected"))

    def failed(self, error: BaseException) -> None:
        """Keep the error as the mailbox's last_error; publish when it is news."""
        self.failures += 1
        detail = str(error) or type(error).__name__
        log.warning("mailbox %s: %s", self.mailbox, detail)
        changed = self.health.ok or self.health.detail != detail
        self.health.ok = False
        self.health.detail = detail
        try:
            self._record(detail)
        except Exception:  # the database may be what failed; the event still goes out
            log.exception("mailbox %s: cannot record its error", self.mailbox)
        if changed:
            self.publish(HealthChanged(at=self.clock.now(), part=self.part, ok=False,
                                       detail=detail))

    def _record(self, error: str | None) -> None:
        """Keep the mailbox's last error (or its clearing) in MailboxState."""
        with WRITE_LOCK, database_proxy.atomic():
            state = MailboxState.get_or_none(MailboxState.mailbox == self.mailbox)
            if state is None:
                state = MailboxState(mailbox=self.mailbox)
            state.last_error = error
            if error is None:
                state.last_ok_at = self.clock.now()
            state.save()
