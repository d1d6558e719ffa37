"""Sending the notices the notice log holds: due now, after a failed try, or held for quiet
hours that are over, whether recorded a moment ago or before a stop.

Every notice is in the log before it is sent and marked sent only once its sender
took it, so what a stop or a failing sender left behind goes at the next pass, and
what went is never sent again. SLA notices for one agent and one way go as one
(appliance.queue.notice_batches); one whose ticket has moved on is dropped. All
sending goes through one lock: a pass and a single notice never send the same row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from appliance.ports.notices import AgentNotice, NoticeSender
from appliance.queue.notice_batches import TicketNow, batch_key, is_stale, retry_at
from appliance.queue.notice_rules import NoticeKind, NoticeWay
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.spine.events import AgentNotified
from appliance.store import notice_log
from appliance.store.notice_choices import AgentContact, contact
from appliance.store.notice_log import LoggedNotice
from appliance.store.notice_tickets import tickets_now
from appliance.store.worker import StoreWorker
from appliance.switchboard.notice_texts import grouped_text, notice_subject

log = logging.getLogger("aspa.notices")

# Ticket numbers a grouped notice lists before "and N more": a mail has room, an SMS not.
LISTED = {NoticeWay.EMAIL: 20}
LISTED_SHORT = 3
_KINDS = frozenset(kind.value for kind in NoticeKind)
_WAYS = frozenset(way.value for way in NoticeWay)


class NoticeOutbox:
    """Sends recorded notices by each agent's way, once, grouped where the rules say."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: Clock, *,
                 senders: Mapping[NoticeWay, NoticeSender], page_open: Callable[[int], bool],
                 language: str, queue_url: str = "") -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._senders = dict(senders)
        self._page_open = page_open
        self._language = language
        self._queue_url = queue_url
        self._lock = asyncio.Lock()

    def use_settings(self, *, language: str,
                     senders: Mapping[NoticeWay, NoticeSender] | None = None) -> None:
        """The language and (when given) the ways saved while the box runs."""
        self._language = language
        if senders is not None:
            self._senders = dict(senders)

    @property
    def ways(self) -> frozenset[NoticeWay]:
        return frozenset(self._senders)

    async def send_due(self) -> int:
        """Send every notice whose time has come; how many notices went (a group counts each).

        In passes of at most WAITING_MAX notices: each pass settles or puts off all it read,
        so the next reads the rest."""
        went = 0
        async with self._lock:
            while True:
                rows = await self._store.call(notice_log.waiting, self._clock.now())
                went += await self._send(rows)
                if len(rows) < notice_log.WAITING_MAX:
                    return went

    async def send_now(self, entry_ids: Sequence[int]) -> int:
        """Send these notices now, unless a pass sent them already."""
        async with self._lock:
            rows = await self._store.call(notice_log.still_waiting, entry_ids)
            return await self._send(rows)

    async def _send(self, rows: list[LoggedNotice]) -> int:
        if not rows:
            return 0
        now = self._clock.now()
        tickets = await self._store.call(
            tickets_now, [r.ticket_id for r in rows if r.ticket_id is not None])
        batches: dict[tuple[int, str, int], list[LoggedNotice]] = {}
        unknown = []
        for row in rows:
            if row.kind not in _KINDS or row.way not in _WAYS or row.agent_id is None:
                unknown.append(row.id)  # written by a newer version, or by hand
                continue
            key = batch_key(row.id, row.agent_id, NoticeKind(row.kind), NoticeWay(row.way))
            batches.setdefault(key, []).append(row)
        if unknown:
            log.warning("%d notices of an unknown kind or way dropped", len(unknown))
            await self._store.call(notice_log.settle, unknown, notice_log.DROPPED, "", now)
        went = 0
        for batch in batches.values():
            fresh = await self._drop_stale(batch, tickets, now)
            if fresh:
                went += await self._send_batch(fresh, tickets, now)
        return went

    async def _drop_stale(self, batch: list[LoggedNotice], tickets: Mapping[int, TicketNow],
                          now: datetime) -> list[LoggedNotice]:
        """The batch without the notices whose ticket moved on; those are dropped."""
        stale = [r for r in batch if is_stale(
            NoticeKind(r.kind), tickets.get(r.ticket_id) if r.ticket_id else None, now)]
        if stale:
            await self._store.call(notice_log.settle, [r.id for r in stale], notice_log.DROPPED,
                                   stale[0].way, now)
            shown = ", ".join(str(r.ticket_id) for r in stale[:LISTED_SHORT])
            more = f" and {len(stale) - LISTED_SHORT} more" if len(stale) > LISTED_SHORT else ""
            log.info("%d %s notices to agent %s dropped: their tickets moved on since "
                     "(ticket ids %s%s)", len(stale), "/".join(sorted({r.kind for r in stale})),
                     stale[0].agent_id, shown, more)
        gone = {r.id for r in stale}
        return [r for r in batch if r.id not in gone]

    async def _send_batch(self, batch: list[LoggedNotice], tickets: Mapping[int, TicketNow],
                          now: datetime) -> int:
        ids = [r.id for r in batch]
        agent_id = batch[0].agent_id
        assert agent_id is not None  # rows without an agent are never batched
        who = await self._store.call(contact, agent_id)
        if who is None:  # the agent was removed meanwhile
            await self._store.call(notice_log.settle, ids, notice_log.DROPPED, batch[0].way, now)
            return 0
        way = self.reachable(NoticeWay(batch[0].way), who)
        if way is NoticeWay.PAGE or self._page_open(who.agent_id):
            await self._store.call(notice_log.settle, ids, notice_log.PAGE, "page", now)
            for row in batch:
                self._told(who, row.kind, "page", row.ticket_id, _number(row, tickets))
            return len(batch)
        notice = self._compose(batch, who, tickets, way)
        try:
            await self._senders[way](notice)
        except Exception as error:  # SMTP settings, a full disk: kept and tried again
            again = retry_at(max(r.tries for r in batch), now)
            await self._store.call(notice_log.put_off, ids, again)
            log.warning("notice %s to agent %d by %s not sent (%s); tried again at %s",
                        notice.kind, who.agent_id, way.value, error or type(error).__name__,
                        again.isoformat(timespec="seconds"))
            return 0
        await self._store.call(notice_log.settle, ids, notice_log.SENT, way.value, now)
        log.info("notice %s to agent %d sent by %s: %d tickets", notice.kind, who.agent_id,
                 way.value, len(batch))
        single = batch[0] if len(batch) == 1 else None
        self._told(who, notice.kind, way.value, single.ticket_id if single else None,
                   notice.number)
        return len(batch)

    def _compose(self, batch: list[LoggedNotice], who: AgentContact,
                 tickets: Mapping[int, TicketNow], way: NoticeWay) -> AgentNotice:
        language = who.language or self._language
        ids = tuple(r.id for r in batch)
        if len(batch) == 1:
            row = batch[0]
            number = _number(row, tickets)
            return AgentNotice(who.agent_id, row.kind, notice_subject(language, number),
                               row.text, number, who.email, who.phone, ids)
        parts = []
        for kind in (NoticeKind.SLA_BREACH, NoticeKind.SLA_WARNING):
            of_kind = [r for r in batch if r.kind == kind.value]
            numbers = sorted(n for r in of_kind if (n := _number(r, tickets)) is not None)
            parts.append((kind.value, numbers, of_kind[0].text if of_kind else ""))
        subject, text = grouped_text(language, parts, listed=LISTED.get(way, LISTED_SHORT),
                                     queue_url=self._queue_url)
        kind = (NoticeKind.SLA_BREACH if any(r.kind == NoticeKind.SLA_BREACH for r in batch)
                else NoticeKind.SLA_WARNING)
        return AgentNotice(who.agent_id, kind.value, subject, text, None, who.email, who.phone,
                           ids)

    def reachable(self, way: NoticeWay, who: AgentContact) -> NoticeWay:
        """The page instead, when the chosen way has no sender or no address for this agent."""
        missing = ((way is NoticeWay.EMAIL and not who.email)
                   or (way is NoticeWay.SMS and not who.phone)
                   or (way is not NoticeWay.PAGE and way not in self._senders))
        if not missing:
            return way
        log.warning("agent %d chose %s notices, but %s; shown on the page", who.agent_id,
                    way.value, "no address is set" if way in self._senders else "it is not set up")
        return NoticeWay.PAGE

    def _told(self, who: AgentContact, kind: str, way: str, ticket_id: int | None,
              number: int | None) -> None:
        self._bus.publish(AgentNotified(at=self._clock.now(), agent_id=who.agent_id,
                                        ticket_id=ticket_id, notice=kind, way=way, number=number))


def _number(row: LoggedNotice, tickets: Mapping[int, TicketNow]) -> int | None:
    ticket = tickets.get(row.ticket_id) if row.ticket_id is not None else None
    return ticket.number if ticket is not None else None
