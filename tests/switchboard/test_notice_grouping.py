"""A burst told once: the breaches of one escalation round reach each agent as ONE notice
naming the count, in the agent's language, by the real outgoing mail to a real SMTP server;
held for quiet hours, the grouped notice goes once when they end. A single breach stays a
notice of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from appliance.mail.notice_mail import NoticeMail
from appliance.mail.outbox_sender import OutboxSender
from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.queue.escalation import EscalationRules
from appliance.queue.notice_rules import NoticeWay
from appliance.runtime.escalation_watch import EscalationWatch
from appliance.spine.clock import ManualClock
from appliance.spine.events import AgentNotified
from appliance.store.models import NoticeLogEntry
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from tests.peers.smtp import ReceivedMail, SmtpServer
from tests.switchboard.customer_box import CustomerBox
from tests.switchboard.notice_box import MONDAY_NOON, OFFICE, QUEUE_URL, smtp_settings

BREACHED = 200
NO_RULES = CustomerRules(vip_priority=None, manager_rule=ManagerRule.OFF)
# warnings off, nothing changed at breach: the test is about who is told, and how often
TELL_ONLY = EscalationRules(warn_at=0, raise_to=None, reassign_to=None, tell_team=False)
MONDAY_NIGHT = datetime(2026, 1, 5, 19, 0, tzinfo=UTC)  # 21:00 in Helsinki: quiet
TUESDAY_OPENING = datetime(2026, 1, 6, 6, 0, tzinfo=UTC)  # 08:00 in Helsinki
FIRST_REPLY_MIN = 100  # customer_box.POLICY, normal priority


class BreachBox:
    """The switchboard, the notifier mailing agents and the escalation watch, as the daemon
    wires them."""

    def __init__(self, store: StoreWorker, clock: ManualClock, smtp: SmtpServer) -> None:
        self.board = CustomerBox(store, clock, NO_RULES, TELL_ONLY)
        settings = smtp_settings(smtp)
        self.notifier = Notifier(store, self.board.bus, clock, OFFICE,
                                 senders={NoticeWay.EMAIL: NoticeMail(settings, store, clock)},
                                 queue_url=QUEUE_URL)
        self.watch = EscalationWatch([self.board.board.escalate, self.notifier.send_due], 30)
        self.mail = OutboxSender(settings, self.board.bus.publish, clock)

    async def start(self) -> None:
        await self.board.start()
        await self.notifier.start()

    async def agent(self, login: str, language: str) -> int:
        agent_id = await self.board.agent(login, language=language)
        await self.board.store.call(save_choices, agent_id, StoredChoices(
            ways={"sla_breach": "email"}, email=f"{login}@toimisto.fi"))
        return agent_id

    async def tickets_of(self, agent_id: int, count: int) -> list[int]:
        numbers = []
        for i in range(count):
            ticket = await self.board.tickets.open_ticket("email", f"Tilaus {i}",
                                                          assignee_id=agent_id)
            numbers.append(int(ticket.number))
        await self.board.settle()
        return numbers

    async def round(self) -> None:
        """One round of the escalation watch, as its timer runs it."""
        await self.watch.check_once()
        await self.board.settle()

    def told(self) -> list[tuple[int | None, str, str, int | None]]:
        return [(e.agent_id, e.notice, e.way, e.number) for e in self.board.events
                if isinstance(e, AgentNotified)]


@pytest.fixture
async def breach_box(store: StoreWorker, smtp_server: SmtpServer) -> AsyncIterator[BreachBox]:
    box = BreachBox(store, ManualClock(MONDAY_NOON), smtp_server)
    await box.start()
    try:
        yield box
    finally:
        await box.notifier.stop()
        await box.board.bus.stop()


def by_recipient(mails: list[ReceivedMail]) -> dict[str, str]:
    return {mail.rcpt_tos[0]: text_of(mail) for mail in mails}


def text_of(mail: ReceivedMail) -> str:
    return str(mail.parsed().get_content()).replace("\r\n", "\n")


async def test_200_breaches_in_one_round_make_one_mail_per_agent_naming_the_count(
        breach_box: BreachBox, smtp_server: SmtpServer) -> None:
    pekka = await breach_box.agent("pekka", "fi")
    jane = await breach_box.agent("jane", "en")
    pekkas = await breach_box.tickets_of(pekka, BREACHED)
    janes = await breach_box.tickets_of(jane, 1)
    breach_box.board.advance(FIRST_REPLY_MIN)
    await breach_box.round()

    assert await breach_box.mail.send_due() == 2
    mails = by_recipient(await smtp_server.messages_arrived(2))
    listed = ", ".join(f"#{n}" for n in pekkas[:20])
    assert mails["pekka@toimisto.fi"] == (
        f"{BREACHED} tiketin palvelutasoaika ylittyi: {listed} ja {BREACHED - 20} muuta.\n"
        f"Jono: {QUEUE_URL}\n")
    # one breach stays a notice of its own, in the agent's language
    assert mails["jane@toimisto.fi"].startswith(f"Ticket #{janes[0]} missed its SLA due time")
    assert sorted(smtp_server.messages[i].parsed()["Subject"] for i in range(2)) == [
        f"Aspa: {BREACHED} tikettiä", f"Aspa: ticket #{janes[0]}"]
    assert sorted(breach_box.told()) == sorted([(pekka, "sla_breach", "email", None),
                                                (jane, "sla_breach", "email", janes[0])])
    states = await breach_box.board.store.call(lambda: {e.state for e in NoticeLogEntry.select()
                                               .where(NoticeLogEntry.agent.is_null(False))})
    assert states == {"sent"}

    await breach_box.round()  # the next round: nothing new, nothing again
    assert await breach_box.mail.send_due() == 0
    assert len(smtp_server.messages) == 2


async def test_breaches_in_quiet_hours_are_held_and_go_once_as_one_mail(
        breach_box: BreachBox, smtp_server: SmtpServer) -> None:
    clock = breach_box.board.clock
    clock.set(MONDAY_NIGHT)
    pekka = await breach_box.agent("pekka", "en")
    numbers = await breach_box.tickets_of(pekka, BREACHED)
    breach_box.board.advance(FIRST_REPLY_MIN)
    await breach_box.round()
    assert await breach_box.mail.send_due() == 0
    held = await breach_box.board.store.call(lambda: {
        (e.state, e.due_at) for e in NoticeLogEntry.select().where(NoticeLogEntry.agent == pekka)})
    assert held == {("held", TUESDAY_OPENING)}

    clock.set(TUESDAY_OPENING - timedelta(minutes=1))
    await breach_box.round()
    assert breach_box.told() == []
    clock.set(TUESDAY_OPENING)
    await breach_box.round()
    await breach_box.round()
    assert breach_box.told() == [(pekka, "sla_breach", "email", None)]
    assert await breach_box.mail.send_due() == 1
    (mail,) = await smtp_server.messages_arrived(1)
    listed = ", ".join(f"#{n}" for n in numbers[:20])
    assert text_of(mail) == (
        f"{BREACHED} tickets passed their SLA due time: {listed} and {BREACHED - 20} more.\n"
        f"Queue: {QUEUE_URL}\n")
    clock.advance(timedelta(days=1))
    await breach_box.round()
    assert await breach_box.mail.send_due() == 0
    assert len(smtp_server.messages) == 1
