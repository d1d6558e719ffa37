"""Notices to agents away from the page: an @mention by mail through the box's outgoing mail
(a real SMTP server), nothing twice, the page instead of mail while it is open, and quiet
hours that hold a notice until morning or drop an SLA warning that no longer matters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest

from appliance.spine.clock import ManualClock
from appliance.spine.events import SlaWarning
from appliance.store.models import NoticeLogEntry
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.tickets import MessageDraft
from appliance.store.worker import StoreWorker
from appliance.tickets.business_calendar import BusinessCalendar
from tests.peers.smtp import SmtpServer
from tests.switchboard.notice_box import (
    MONDAY_EVENING,
    MONDAY_NOON,
    NoticeBox,
    running_box,
    smtp_settings,
)


@pytest.fixture
async def box(store: StoreWorker, smtp_server: SmtpServer) -> AsyncIterator[NoticeBox]:
    async with running_box(store, ManualClock(MONDAY_NOON), smtp_settings(smtp_server)) as made:
        yield made


async def test_a_mention_reaches_an_agent_whose_page_is_closed_by_mail(
        box: NoticeBox, smtp_server: SmtpServer) -> None:
    anna = await box.agent("anna", "Anna Virtanen")
    pekka = await box.agent("pekka", "Pekka Lahti", mention="email")
    ticket = await box.tickets.open_ticket("email", "Lasku väärin")
    await box.note(ticket.id, anna, "@pekka katsotko tämän laskun? @anna muistaa asiakkaan")

    assert await box.outbox.send_due() == 1
    (mail,) = await smtp_server.messages_arrived(1)
    assert mail.rcpt_tos == ("pekka@toimisto.fi",)
    parsed = mail.parsed()
    assert parsed["Subject"] == f"Aspa: tiketti #{ticket.number}"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert f"Anna Virtanen mainitsi sinut tiketin #{ticket.number}" in parsed.get_content()
    # the author is not told of their own note, and only Pekka chose mail
    assert box.told() == [(pekka, "mention", "email")]


async def test_the_same_note_delivered_twice_is_told_once(box: NoticeBox) -> None:
    anna = await box.agent("anna", "Anna Virtanen")
    await box.agent("pekka", "Pekka Lahti", mention="email")
    ticket = await box.tickets.open_ticket("email", "Kysymys")
    message = await box.tickets.add_message(ticket.id, MessageDraft(
        channel="note", direction="internal", body_text="@Pekka soita asiakkaalle",
        author_id=anna))
    await box.bus.drain()
    # the change feed may hand the same event on again (another process wrote the note)
    again = next(e for e in box.events if getattr(e, "message_id", None) == message.id)
    box.bus.publish(again)
    await box.bus.drain()
    assert await box.outgoing() == ["pekka@toimisto.fi"]


async def test_an_agent_with_the_page_open_is_not_mailed(box: NoticeBox) -> None:
    anna = await box.agent("anna", "Anna Virtanen")
    pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
    box.pages.opened(pekka)
    ticket = await box.tickets.open_ticket("email", "Toimitus")
    await box.tickets.assign(ticket.id, pekka, by=anna)
    await box.bus.drain()
    assert box.told() == [(pekka, "assigned", "page")]
    assert await box.outgoing() == []

    box.pages.closed(pekka)  # the page closed: the next one is mailed
    second = await box.tickets.open_ticket("email", "Toinen")
    await box.tickets.assign(second.id, pekka, by=anna)
    await box.bus.drain()
    assert await box.outgoing() == ["pekka@toimisto.fi"]


async def test_an_agent_taking_a_ticket_themself_is_not_told(box: NoticeBox) -> None:
    pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
    ticket = await box.tickets.open_ticket("email", "Oma")
    await box.tickets.assign(ticket.id, pekka, by=pekka)
    await box.bus.drain()
    assert box.told() == [] and await box.outgoing() == []


async def test_quiet_hours_hold_an_assignment_until_morning_and_drop_a_warning(
        box: NoticeBox) -> None:
    box.clock.set(MONDAY_EVENING)  # the office closed at 16:00: quiet by default
    anna = await box.agent("anna", "Anna Virtanen")
    pekka = await box.agent("pekka", "Pekka Lahti", assigned="email", sla_warning="email")
    ticket = await box.tickets.open_ticket("email", "Illalla")
    await box.tickets.assign(ticket.id, pekka, by=anna)
    box.bus.publish(SlaWarning(at=box.clock.now(), ticket_id=ticket.id,
                               due=box.clock.now() + timedelta(minutes=30), assignee_id=pekka))
    await box.bus.drain()
    assert box.told() == [] and await box.outgoing() == []
    states = await box.store.call(
        lambda: sorted((e.kind, e.state, e.due_at) for e in NoticeLogEntry.select()))
    opening = datetime(2026, 1, 6, 6, 0, tzinfo=UTC)  # Tuesday 08:00 in Helsinki
    assert states == [("assigned", "held", opening), ("sla_warning", "dropped", None)]

    box.clock.set(opening - timedelta(minutes=1))
    assert await box.notifier.send_due() == 0
    box.clock.set(opening)
    assert await box.notifier.send_due() == 1
    assert await box.outgoing() == ["pekka@toimisto.fi"]
    assert box.told() == [(pekka, "assigned", "email")]
    assert await box.notifier.send_due() == 0  # went once


async def test_own_quiet_hours_over_midnight(box: NoticeBox) -> None:
    pekka = await box.agent("pekka", "Pekka Lahti", reminder="email")
    await box.store.call(save_choices, pekka, StoredChoices(
        ways={"reminder": "email"}, email="pekka@toimisto.fi", quiet_start="21:00",
        quiet_end="07:00"))
    box.clock.set(datetime(2026, 1, 10, 20, 30, tzinfo=UTC))  # Saturday 22:30: quiet
    ticket = await box.tickets.open_ticket("email", "Odottaa")
    await box.tickets.assign(ticket.id, pekka, by=pekka)
    await box.tickets.set_pending(ticket.id, box.clock.now() + timedelta(minutes=1), "asiakas",
                                  by=pekka)
    box.clock.advance(60)
    assert len(await box.tickets.return_due_pending()) == 1
    await box.bus.drain()
    (due,) = await box.store.call(lambda: [e.due_at for e in NoticeLogEntry.select()])
    assert due == datetime(2026, 1, 11, 5, 0, tzinfo=UTC)  # Sunday 07:00, not the office's hours


async def test_hours_and_language_saved_on_the_page_decide_the_next_notice(
        box: NoticeBox, smtp_server: SmtpServer) -> None:
    box.clock.set(MONDAY_EVENING)  # 22:00 in Helsinki: quiet; 15:00 in New York: open
    box.notifier.use_settings(BusinessCalendar.from_hours(
        "America/New_York", {d: [(time(8), time(16))] for d in range(5)}), language="en")
    anna = await box.agent("anna", "Anna Virtanen")
    pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
    ticket = await box.tickets.open_ticket("email", "Evening in Helsinki")
    await box.tickets.assign(ticket.id, pekka, by=anna)
    await box.bus.drain()
    assert box.told() == [(pekka, "assigned", "email")]  # not held for the Helsinki morning
    assert await box.outbox.send_due() == 1
    (mail,) = await smtp_server.messages_arrived(1)
    assert "tiketti" not in mail.parsed()["Subject"]  # in English, the callers' language
