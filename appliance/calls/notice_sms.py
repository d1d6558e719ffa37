"""Notices to agents by SMS: kept in the box's SMS outbox, sent from its own SIM."""

from __future__ import annotations

from collections.abc import Callable

from appliance.calls.sms_outbox_rows import queue_sms
from appliance.ports.notices import AgentNotice
from appliance.spine.clock import Clock
from appliance.store import notice_log
from appliance.store.models import database_proxy
from appliance.store.worker import StoreWorker


class NoticeSms:
    """The notifier's SMS sender: one outbox entry per notice, on no ticket (the agent's own)."""

    def __init__(self, store: StoreWorker, clock: Clock,
                 wake: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake

    async def __call__(self, notice: AgentNotice) -> None:
        def put() -> None:
            now = self._clock.now()
            with database_proxy.atomic():  # kept and marked sent together: never twice
                queue_sms(notice.phone, notice.text, None, None, now)
                notice_log.settle(notice.notice_ids, notice_log.SENT, "sms", now)

        await self._store.call(put)
        self._wake()  # the outbox sends it now rather than at its next look
