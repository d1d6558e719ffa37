"""Notices to agents by SMS: kept in the box's SMS outbox, sent from its own SIM."""

from __future__ import annotations

from collections.abc import Callable

from appliance.calls.sms_outbox_rows import queue_sms
from appliance.ports.notices import AgentNotice
from appliance.spine.clock import Clock
from appliance.store.worker import StoreWorker


class NoticeSms:
    """The notifier's SMS sender: one outbox entry per notice, on no ticket (the agent's own)."""

    def __init__(self, store: StoreWorker, clock: Clock,
                 wake: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake

    async def __call__(self, notice: AgentNotice) -> None:
        await self._store.call(queue_sms, notice.phone, notice.text, None, None,
                               self._clock.now())
        self._wake()  # the outbox sends it now rather than at its next look
