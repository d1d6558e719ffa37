"""Notices to agents away from the page: of assignment, @mention, SLA warning and breach, and
pending tickets come back; each agent's chosen way, outside their quiet hours, never twice.

It follows the bus. For each event it finds whom to tell, asks the core's
rules (appliance.queue.notice_rules) how and when, and records the notice under
a key made from the event (a repeat finds the key taken and tells no one) before
anything is sent. A single notice is then sent at once; the SLA notices of an
escalation round wait for the round's `send_due`, which sends each agent one
notice for them all (appliance.switchboard.notice_outbox), as it sends notices
held for quiet hours, retried after a failure, or left unsent by a stop. An
agent with a page open sees it there (`AgentNotified`, way "page") and is sent
nothing else. What a stop left on the bus is not lost: at start the notifier
reads the last hour's assignments, notes and returns back from the history (the
keys skip those told), and an SLA alert, marked told only once its notices are
recorded, is told again by the escalation watch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import time, timedelta

from appliance.ports.adapter import AdapterHealth
from appliance.ports.notices import NoticeSender
from appliance.queue.escalation import SlaStage, alert_key
from appliance.queue.notice_batches import GROUPED_KINDS
from appliance.queue.notice_rules import (
    Delivery,
    NoticeChoices,
    NoticeKind,
    NoticeWay,
    Outcome,
    QuietHours,
    deliver,
)
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.clock import Clock
from appliance.spine.events import (
    AgentNotified,
    Event,
    MessageAdded,
    SlaBreached,
    SlaWarning,
    TicketAssigned,
    TicketReturned,
)
from appliance.store import notice_log
from appliance.store.event_replay import events_since
from appliance.store.notice_choices import AgentContact, StoredChoices, reach_of
from appliance.store.work_items import ticket_item_id
from appliance.store.worker import StoreWorker
from appliance.switchboard.notice_causes import Notice, NoticeCauses
from appliance.switchboard.notice_outbox import NoticeOutbox
from appliance.switchboard.notice_texts import notice_text
from appliance.tickets.business_calendar import BusinessCalendar

log = logging.getLogger("aspa.notices")

WATCHED: tuple[type[Event], ...] = (
    TicketAssigned, MessageAdded, SlaWarning, SlaBreached, TicketReturned)
CAUGHT_UP: tuple[type[Event], ...] = (TicketAssigned, MessageAdded, TicketReturned)
# How far back a start reads the history for events the last stop left untold: a restart by
# systemd or an upgrade is back within minutes; older news than this is not worth a text.
CATCH_UP_WINDOW = timedelta(hours=1)
# Events whose notices are recorded in one store transaction. A breach told to a team of 10
# is 10 rows: 500 a batch, ~50 ms of the one store thread that every other part waits on
# (200 events held it ~200 ms a batch for no more notices a second; bench/notice_burst.py).
BATCH_EVENTS = 50
_STATES = {Outcome.PAGE: notice_log.PAGE, Outcome.SEND: notice_log.DUE,
           Outcome.HOLD: notice_log.HELD, Outcome.DROP: notice_log.DROPPED}
Reach = Mapping[int, tuple[AgentContact, StoredChoices]]


def choices_of(stored: StoredChoices) -> NoticeChoices:
    """The core's view of stored choices (a malformed time counts as unset)."""
    ways = {NoticeKind(k): NoticeWay(v) for k, v in stored.ways.items()}
    return NoticeChoices(ways, QuietHours(_clock_time(stored.quiet_start),
                                          _clock_time(stored.quiet_end)))


def _clock_time(text: str | None) -> time | None:
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        return None


class Notifier:
    """Tells agents away from the page, each their chosen way."""

    def __init__(self, store: StoreWorker, bus: EventBus, clock: Clock,
                 calendar: BusinessCalendar, *, senders: Mapping[NoticeWay, NoticeSender],
                 page_open: Callable[[int], bool] = lambda _agent: False,
                 language: str = "fi", queue_url: str = "") -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self._calendar = calendar
        self._page_open = page_open
        self._language = language
        self._sub: Subscription | None = None
        self.transactions = 0  # store transactions that recorded notices, for the tests
        self._causes = NoticeCauses(calendar)
        self.outbox = NoticeOutbox(store, bus, clock, senders=senders, page_open=page_open,
                                   language=language, queue_url=queue_url)

    @property
    def name(self) -> str:
        return "notices"

    @property
    def calendar(self) -> BusinessCalendar:
        """The office's hours, whose closed times are quiet by default."""
        return self._calendar

    def use_settings(self, calendar: BusinessCalendar, *, language: str,
                     senders: Mapping[NoticeWay, NoticeSender] | None = None) -> None:
        """Hours (and their time zone), ways and language saved while the box runs: the next
        notice follows them (`senders` None: the ways stay).

        A notice already held keeps its time; a new one is held to the new hours.
        """
        self._calendar = calendar
        self._causes.use_calendar(calendar)
        self.outbox.use_settings(language=language, senders=senders)
        self._language = language

    async def start(self) -> None:
        """Follow the bus, after telling of what the last stop may have left on it."""
        if self._sub is None:
            self._sub = self._bus.subscribe_batches("notices", self._on_events, WATCHED,
                                                    BATCH_EVENTS)
            await self.catch_up()

    async def catch_up(self) -> int:
        """Handle again the assignments, notes and returns of the last CATCH_UP_WINDOW: a stop
        may have left them on the bus untold. The notices' keys keep what was told single;
        SLA alerts need none of this (the escalation watch tells the owed ones again).
        How many events were read back."""
        since = self._clock.now() - CATCH_UP_WINDOW
        events = await self._store.call(events_since, [k.kind for k in CAUGHT_UP], since)
        for start in range(0, len(events), BATCH_EVENTS):
            await self._on_events(events[start:start + BATCH_EVENTS])
        return len(events)

    async def stop(self) -> None:
        if self._sub is not None:
            self._bus.unsubscribe(self._sub)
            self._sub = None

    def health(self) -> AdapterHealth:
        ways = ", ".join(sorted(way.value for way in self.outbox.ways)) or "the page only"
        return AdapterHealth(ok=True, detail=f"notices by {ways}")

    async def _on_events(self, events: list[Event]) -> None:
        """Record (and tell) a batch of events' notices in one store read and one transaction;
        should the batch fail, each event again on its own, so one failed notice does not
        stop the others'."""
        try:
            await self._record_events(events)
            return
        except Exception:
            if len(events) == 1:
                log.exception("notice for %s failed", events[0].kind)
                return
            log.exception("notices for %d events failed together; each again alone", len(events))
        for event in events:
            try:
                await self._record_events([event])
            except Exception:  # one failed notice must not stop the next events' notices
                log.exception("notice for %s failed", event.kind)

    async def _record_events(self, events: list[Event]) -> None:
        alerts = [alert_key(SlaStage.BREACH if isinstance(e, SlaBreached) else SlaStage.WARNING,
                            ticket_item_id(e.ticket_id), e.due)
                  for e in events if isinstance(e, SlaWarning | SlaBreached)
                  and e.ticket_id is not None]
        notices, reach = await self._store.call(self._read, events)
        await self._record([n for of_event in notices for n in of_event], reach, alerts)

    def _read(self, events: list[Event]) -> tuple[list[list[Notice]], Reach]:
        """The events' notices and the contact and choices of each agent they tell (store
        thread): read afresh for each batch, so choices saved meanwhile apply to the next."""
        notices = self._causes.read(events)
        return notices, reach_of(n.agent_id for of_event in notices for n in of_event)

    async def tell(self, notice: Notice) -> Delivery | None:
        """Record and tell one agent now, later or not at all; None when already told (or no
        such agent). An SLA notice to send waits for `send_due`, to go with the round's others."""
        reach = await self._store.call(reach_of, [notice.agent_id])
        return (await self._record([notice], reach, []))[0]

    async def _record(self, notices: list[Notice], reach: Reach,
                      alerts: list[str]) -> list[Delivery | None]:
        """Record notices in one transaction (marking `alerts` told in it), then tell each
        recorded one: on the page at once, a single notice to send now; SLA ones to send wait
        for `send_due`. Per notice its delivery, None when told already or nobody to tell."""
        now = self._clock.now()
        planned: list[tuple[Notice, AgentContact, Delivery]] = []
        claims = []
        for notice in notices:
            if notice.agent_id not in reach:
                continue  # no such agent, or no longer active
            who, stored = reach[notice.agent_id]
            delivery = self._reachable(deliver(
                notice.kind, choices_of(stored), page_open=self._page_open(notice.agent_id),
                calendar=self._calendar, now=now), who)
            _subject, text = notice_text(who.language or self._language, notice.kind.value,
                                         number=notice.number, **notice.values)
            planned.append((notice, who, delivery))
            claims.append(notice_log.NoticeClaim(
                notice.key, notice.kind.value, _STATES[delivery.outcome], notice.agent_id,
                notice.ticket_id, delivery.way.value, text,
                delivery.at if delivery.outcome in (Outcome.SEND, Outcome.HOLD) else None))
        if not claims and not alerts:
            return [None] * len(notices)
        entries = await self._store.call(notice_log.claim_many, claims, now, alerts)
        self.transactions += 1
        told: dict[str, Delivery] = {}
        send_now = []
        for (notice, _who, delivery), entry in zip(planned, entries, strict=True):
            if entry is None:
                continue  # told already
            told[notice.key] = delivery
            log.info("notice %s to agent %d: %s %s", notice.kind.value, notice.agent_id,
                     delivery.outcome.value, delivery.way.value)
            if delivery.outcome is Outcome.PAGE:
                self._bus.publish(AgentNotified(
                    at=now, agent_id=notice.agent_id, ticket_id=notice.ticket_id,
                    notice=notice.kind.value, way=NoticeWay.PAGE.value, number=notice.number))
            elif delivery.outcome is Outcome.SEND and notice.kind not in GROUPED_KINDS:
                send_now.append(entry)
        if send_now:
            await self.outbox.send_now(send_now)
        return [told.pop(notice.key, None) for notice in notices]

    async def send_due(self) -> int:
        """Send what is due: this round's SLA notices (once every event published before is
        recorded), held ones whose quiet hours are over, failed ones whose retry time has
        come, and what a stop left unsent; how many notices went."""
        await self._recorded()
        return await self.outbox.send_due()

    async def _recorded(self) -> None:
        """Wait until every event queued for the notifier is handled (or it stops meanwhile)."""
        sub = self._sub
        if sub is None or sub.task is None or sub.task.done():
            return
        joined = asyncio.ensure_future(sub.queue.join())
        try:
            await asyncio.wait({joined, sub.task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            joined.cancel()

    def _reachable(self, delivery: Delivery, who: AgentContact) -> Delivery:
        """The page instead, when the chosen way has no sender or no address for this agent."""
        if delivery.outcome in (Outcome.PAGE, Outcome.DROP):
            return delivery
        way = self.outbox.reachable(delivery.way, who)
        if way is delivery.way:
            return delivery
        return Delivery(Outcome.PAGE if delivery.outcome is Outcome.SEND else delivery.outcome,
                        way, delivery.at)
