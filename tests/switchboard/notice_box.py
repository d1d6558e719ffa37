"""A store, a bus, the ticket book and the notifier mailing through the outbox to a real SMTP
server; a second box on the same store is the daemon after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.notice_mail import NoticeMail
from appliance.mail.outbox_sender import OutboxSender
from appliance.ports.notices import NoticeSender, OpenPages
from appliance.queue.notice_rules import NoticeWay
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import AgentNotified, Event
from appliance.store.accounts import Accounts
from appliance.store.history import HistoryWriter
from appliance.store.mail_models import OutgoingMail
from appliance.store.models import NoticeLogEntry
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from appliance.tickets.business_calendar import BusinessCalendar
from tests.peers.smtp import SmtpServer

HELSINKI = "Europe/Helsinki"
OFFICE = BusinessCalendar.from_hours(HELSINKI, {d: [(time(8), time(16))] for d in range(5)})
MONDAY_NOON = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # 12:00 in Helsinki
MONDAY_EVENING = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)  # 22:00 in Helsinki
QUEUE_URL = "http://aspa.local:8080/"


def smtp_settings(server: SmtpServer) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="none",
                        from_address="aspa@toimisto.fi", from_name="Aspa", domain="toimisto.fi")


class NoticeBox:
    """A store, a bus, the ticket book and the notifier mailing through the outbox."""

    def __init__(self, store: StoreWorker, clock: ManualClock, smtp: SmtpSettings,
                 senders: Mapping[NoticeWay, NoticeSender] | None = None) -> None:
        self.store = store
        self.clock = clock
        self.bus = EventBus()
        self.events: list[Event] = []
        self.bus.subscribe("test", self.events.append)
        self.history = HistoryWriter(store.db, worker=store)
        self.recorded = self.history.attach(self.bus)
        self.pages = OpenPages()
        self.tickets = TicketBook(store.db, self.bus, clock, worker=store)
        self.mail = NoticeMail(smtp, store, clock)
        self.notifier = Notifier(store, self.bus, clock, OFFICE,
                                 senders=senders or {NoticeWay.EMAIL: self.mail},
                                 page_open=self.pages.has_open, queue_url=QUEUE_URL)
        self.outbox = OutboxSender(smtp, self.bus.publish, clock)

    async def agent(self, login: str, name: str, **choices: str) -> int:
        agent = await self.store.call(Accounts(self.store.db, self.clock).add_user,
                                      name, login, "agent", f"{login}-password-1")
        await self.store.call(save_choices, int(agent.id), StoredChoices(
            ways=choices, email=f"{login}@toimisto.fi"))
        return int(agent.id)

    async def note(self, ticket_id: int, author: int, text: str) -> None:
        await self.tickets.add_message(ticket_id, MessageDraft(
            channel="note", direction="internal", body_text=text, author_id=author))
        await self.bus.drain()

    def told(self) -> list[tuple[int | None, str, str]]:
        return [(e.agent_id, e.notice, e.way) for e in self.events
                if isinstance(e, AgentNotified)]

    async def outgoing(self) -> list[str]:
        return await self.store.call(lambda: [r.recipients for r in OutgoingMail.select()])

    async def log_states(self) -> list[tuple[str, str]]:
        """(kind, state) of every notice to an agent, in the order recorded."""
        return await self.store.call(lambda: [
            (e.kind, e.state) for e in NoticeLogEntry.select()
            .where(NoticeLogEntry.agent.is_null(False)).order_by(NoticeLogEntry.id)])


@asynccontextmanager
async def running_box(store: StoreWorker, clock: ManualClock, smtp: SmtpSettings,
                      senders: Mapping[NoticeWay, NoticeSender] | None = None,
                      ) -> AsyncIterator[NoticeBox]:
    """A started box, stopped at the end as the daemon stops it."""
    made = NoticeBox(store, clock, smtp, senders)
    await made.notifier.start()
    made.bus.start()
    try:
        yield made
    finally:
        await made.notifier.stop()
        await made.bus.stop()
