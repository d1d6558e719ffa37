"""Notices that survive a stop: recorded before they are sent, sent after a restart exactly
once, kept and tried again (not in a hot loop) while a sender fails, and dropped when their
ticket has moved on. The real outgoing mail to a real SMTP server carries them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from appliance.mail.notice_mail import NoticeMail
from appliance.ports.notices import AgentNotice
from appliance.queue.notice_rules import NoticeWay
from appliance.spine.clock import ManualClock
from appliance.spine.events import SlaBreached, SlaWarning
from appliance.store.models import NoticeLogEntry, Ticket
from appliance.store.worker import StoreWorker
from tests.peers.smtp import SmtpServer
from tests.switchboard.notice_box import MONDAY_NOON, NoticeBox, running_box, smtp_settings

STOP_WAIT_S = 30.0  # an upper bound only, generous for a loaded machine


async def test_a_notice_recorded_but_not_sent_at_a_stop_is_sent_after_the_restart_once(
        store: StoreWorker, smtp_server: SmtpServer) -> None:
    clock = ManualClock(MONDAY_NOON)
    reached = asyncio.Event()

    async def cut_by_the_stop(notice: AgentNotice) -> None:
        reached.set()
        await asyncio.Event().wait()  # the stop cancels it here, before the mail is kept

    first = NoticeBox(store, clock, smtp_settings(smtp_server),
                      senders={NoticeWay.EMAIL: cut_by_the_stop})
    await first.notifier.start()
    first.bus.start()
    anna = await first.agent("anna", "Anna Virtanen")
    pekka = await first.agent("pekka", "Pekka Lahti", assigned="email")
    ticket = await first.tickets.open_ticket("email", "Toimitus myöhässä")
    await first.tickets.assign(ticket.id, pekka, by=anna)
    await reached.wait()
    await first.notifier.stop()
    await first.bus.stop(STOP_WAIT_S)
    assert await first.log_states() == [("assigned", "due")]
    assert await first.outgoing() == []

    for restart in range(2):  # the daemon starts again, and again
        async with running_box(store, clock, smtp_settings(smtp_server)) as again:
            assert await again.notifier.send_due() == (1 if restart == 0 else 0)
            assert await again.outbox.send_due() == (1 if restart == 0 else 0)
    (mail,) = await smtp_server.messages_arrived(1)
    assert mail.rcpt_tos == ("pekka@toimisto.fi",)
    assert f"Tiketti #{ticket.number} annettiin sinulle." in mail.parsed().get_content()
    assert await first.log_states() == [("assigned", "sent")]
    assert len(smtp_server.messages) == 1


async def test_an_assignment_still_on_the_bus_at_a_stop_is_told_after_the_restart_once(
        store: StoreWorker, smtp_server: SmtpServer) -> None:
    clock = ManualClock(MONDAY_NOON)
    reached = asyncio.Event()

    async def cut_by_the_stop(notice: AgentNotice) -> None:
        reached.set()
        await asyncio.Event().wait()

    first = NoticeBox(store, clock, smtp_settings(smtp_server),
                      senders={NoticeWay.EMAIL: cut_by_the_stop})
    await first.notifier.start()
    first.bus.start()
    anna = await first.agent("anna", "Anna Virtanen")
    pekka = await first.agent("pekka", "Pekka Lahti", assigned="email")
    tickets = [await first.tickets.open_ticket("email", f"Tilaus {i}") for i in range(2)]
    for ticket in tickets:
        await first.tickets.assign(ticket.id, pekka, by=anna)
    await reached.wait()  # the first is being sent, the second waits behind it on the bus
    await first.recorded.queue.join()  # the history has both
    await first.notifier.stop()
    await first.bus.stop()
    assert await first.log_states() == [("assigned", "due")]

    for restart in range(2):
        async with running_box(store, clock, smtp_settings(smtp_server)) as again:
            await again.notifier.send_due()
            assert await again.outbox.send_due() == (2 if restart == 0 else 0)
    mails = await smtp_server.messages_arrived(2)
    texts = sorted(m.parsed().get_content().strip() for m in mails)
    assert texts == [f"Tiketti #{t.number} annettiin sinulle." for t in tickets]
    assert await first.log_states() == [("assigned", "sent")] * 2
    assert len(smtp_server.messages) == 2


async def test_a_failing_sender_keeps_the_notice_and_sends_it_once_when_it_recovers(
        store: StoreWorker, smtp_server: SmtpServer) -> None:
    clock = ManualClock(MONDAY_NOON)
    tries: list[object] = []
    mail = NoticeMail(smtp_settings(smtp_server), store, clock)

    async def disk_full_twice(notice: AgentNotice) -> None:
        tries.append(clock.now())
        if len(tries) <= 2:
            raise OSError(28, "No space left on device")
        await mail(notice)

    async with running_box(store, clock, smtp_settings(smtp_server),
                           senders={NoticeWay.EMAIL: disk_full_twice}) as box:
        anna = await box.agent("anna", "Anna Virtanen")
        pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
        ticket = await box.tickets.open_ticket("email", "Lasku")
        await box.tickets.assign(ticket.id, pekka, by=anna)
        await box.bus.drain()
        assert len(tries) == 1 and await box.log_states() == [("assigned", "due")]
        # no hot loop: rounds before the retry time try nothing
        for _ in range(3):
            assert await box.notifier.send_due() == 0
        clock.advance(29)
        assert await box.notifier.send_due() == 0 and len(tries) == 1
        clock.advance(1)  # 30 s after the first failure
        assert await box.notifier.send_due() == 0 and len(tries) == 2
        clock.advance(59)
        assert await box.notifier.send_due() == 0 and len(tries) == 2
        clock.advance(1)  # the pause doubled: 60 s after the second failure
        assert await box.notifier.send_due() == 1 and len(tries) == 3
        clock.advance(3600)
        assert await box.notifier.send_due() == 0 and len(tries) == 3
        assert await box.outbox.send_due() == 1
        assert await box.log_states() == [("assigned", "sent")]
        assert box.told() == [(pekka, "assigned", "email")]
    (arrived,) = await smtp_server.messages_arrived(1)
    assert arrived.rcpt_tos == ("pekka@toimisto.fi",)


async def test_smtp_down_keeps_the_notice_in_the_outgoing_mail_until_it_is_back(
        store: StoreWorker, smtp_server: SmtpServer) -> None:
    clock = ManualClock(MONDAY_NOON)
    async with running_box(store, clock, smtp_settings(smtp_server)) as box:
        anna = await box.agent("anna", "Anna Virtanen")
        pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
        ticket = await box.tickets.open_ticket("email", "Lasku")
        smtp_server.refuse(421, stage="MAIL")
        await box.tickets.assign(ticket.id, pekka, by=anna)
        await box.bus.drain()
        assert await box.outbox.send_due() == 0  # refused: the outgoing mail keeps it
        assert await box.log_states() == [("assigned", "sent")]  # handed over, not lost
        smtp_server.accept()
        clock.advance(3600)
        assert await box.notifier.send_due() == 0  # not handed over twice
        assert await box.outbox.send_due() == 1
    (mail,) = await smtp_server.messages_arrived(1)
    assert mail.rcpt_tos == ("pekka@toimisto.fi",)
    assert len(smtp_server.messages) == 1


async def test_notices_whose_ticket_moved_on_are_dropped_at_the_restart(
        store: StoreWorker, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(MONDAY_NOON)
    now = clock.now()
    async with running_box(store, clock, smtp_settings(smtp_server)) as first:
        pekka = await first.agent("pekka", "Pekka Lahti", sla_warning="email",
                                  sla_breach="email")
        tickets = [await first.tickets.open_ticket("email", f"Tiketti {i}", assignee_id=pekka)
                   for i in range(4)]
        due = now + timedelta(minutes=30)
        await store.call(lambda: Ticket.update(first_response_due=due).execute())
        resolved_warned, breached_warned, resolved_breached, still_breached = tickets
        for ticket in (resolved_warned, breached_warned):
            first.bus.publish(SlaWarning(at=now, ticket_id=ticket.id, due=due,
                                         assignee_id=pekka))
        for ticket in (resolved_breached, still_breached):
            first.bus.publish(SlaBreached(at=now, ticket_id=ticket.id, due=now,
                                          assignee_id=pekka))
        await first.bus.drain()
        # the stop comes before the round's notices went
    assert await first.log_states() == [("sla_warning", "due")] * 2 + [("sla_breach", "due")] * 2
    async with running_box(store, clock, smtp_settings(smtp_server)) as again:
        for ticket in (resolved_warned, resolved_breached):
            await again.tickets.change_status(ticket.id, "resolved", by=pekka)
        clock.advance(timedelta(minutes=31))  # breached_warned is past its due time now
        with caplog.at_level(logging.INFO, logger="aspa.notices"):
            assert await again.notifier.send_due() == 1
        assert await again.outbox.send_due() == 1
    (dropped,) = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert dropped.startswith("3 sla_breach/sla_warning notices to agent")
    assert "their tickets moved on" in dropped
    states = await store.call(lambda: {e.ticket_id: e.state for e in NoticeLogEntry.select()
                                       .where(NoticeLogEntry.agent.is_null(False))})
    assert states == {resolved_warned.id: "dropped", breached_warned.id: "dropped",
                      resolved_breached.id: "dropped", still_breached.id: "sent"}
    (mail,) = await smtp_server.messages_arrived(1)
    assert f"Tiketin #{still_breached.number} palvelutasoaika ylittyi" in (
        mail.parsed().get_content())


async def test_a_round_waiting_for_the_notifier_goes_on_when_the_notifier_stops(
        store: StoreWorker, smtp_server: SmtpServer) -> None:
    clock = ManualClock(MONDAY_NOON)
    reached = asyncio.Event()
    mail = NoticeMail(smtp_settings(smtp_server), store, clock)

    async def stalls_once(notice: AgentNotice) -> None:
        if not reached.is_set():
            reached.set()
            await asyncio.Event().wait()  # a sender that hangs (the settings page restarts
            # the notifier meanwhile)
        await mail(notice)

    async with running_box(store, clock, smtp_settings(smtp_server),
                           senders={NoticeWay.EMAIL: stalls_once}) as box:
        anna = await box.agent("anna", "Anna Virtanen")
        pekka = await box.agent("pekka", "Pekka Lahti", assigned="email")
        ticket = await box.tickets.open_ticket("email", "Lasku")
        await box.tickets.assign(ticket.id, pekka, by=anna)
        await reached.wait()
        second = await box.tickets.open_ticket("email", "Toinen")
        await box.tickets.assign(second.id, pekka, by=anna)  # queued behind the hanging one
        round_check = asyncio.create_task(box.notifier.send_due())
        for _ in range(3):  # the round reaches its wait for the notifier (no time passes)
            await asyncio.sleep(0)
        assert not round_check.done()
        await box.notifier.stop()
        assert await asyncio.wait_for(round_check, STOP_WAIT_S) == 1
        assert await box.log_states() == [("assigned", "sent")]
        assert await box.outgoing() == ["pekka@toimisto.fi"]
