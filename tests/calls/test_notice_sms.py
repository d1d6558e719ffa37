"""A notice by SMS leaves from the box's own SIM: an @mention reaches an agent whose page is
closed as a text message on the (simulated) modem, through the SMS outbox; a burst of SLA
breaches is one text naming the count."""

from __future__ import annotations

from pathlib import Path

from appliance.calls.notice_sms import NoticeSms
from appliance.calls.sms_outbox import FIRST_RETRY
from appliance.ports.notices import OpenPages
from appliance.queue.notice_rules import NoticeWay
from appliance.spine.clock import SystemClock
from appliance.spine.events import SlaBreached
from appliance.store.models import SmsOutboxEntry
from appliance.store.notice_choices import StoredChoices, save_choices
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.switchboard.notifier import Notifier
from appliance.tickets.business_calendar import BusinessCalendar

from .exchange_harness import AGENT_PHONES, start_exchange, stop_exchange

BURST = 40


async def test_a_mention_reaches_the_agent_by_sms_from_the_box(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        clock = SystemClock()
        pages = OpenPages()
        sender = NoticeSms(exchange.worker, clock, exchange.exchange.outbox.wake)
        notifier = Notifier(exchange.worker, exchange.bus, clock,
                            BusinessCalendar.twenty_four_seven(),  # never quiet
                            senders={NoticeWay.SMS: sender}, page_open=pages.has_open)
        await notifier.start()
        # agent 2 (Agent 2, phone AGENT_PHONES[1]) wants mentions by SMS
        await exchange.worker.call(save_choices, 2, StoredChoices(ways={"mention": "sms"}))
        tickets = TicketBook(exchange.worker.db, exchange.bus, clock, worker=exchange.worker)
        ticket = await tickets.open_ticket("email", "Laskutus")
        await tickets.add_message(ticket.id, MessageDraft(
            channel="note", direction="internal", author_id=1,
            body_text="@agent2 voitko soittaa asiakkaalle?"))
        text = f"Agent 1 mainitsi sinut tiketin #{ticket.number} sisäisessä muistiinpanossa."
        # sent at once; on a loaded machine a first try may time out, and the outbox's
        # first retry comes 30 s later (sms_outbox.FIRST_RETRY)
        await exchange.until(lambda: exchange.sent_sms() == [(AGENT_PHONES[1], text)],
                             within=FIRST_RETRY.total_seconds() + 15.0)
        rows = await exchange.query(lambda: [(r.state, r.ticket_id)
                                             for r in SmsOutboxEntry.select()])
        assert rows == [("sent", None)]  # the agent's own: no customer's history
        await notifier.stop()
    finally:
        await stop_exchange(exchange)


async def test_a_burst_of_breaches_is_one_sms_naming_the_count(tmp_path: Path) -> None:
    exchange = await start_exchange(tmp_path)
    try:
        clock = SystemClock()
        sender = NoticeSms(exchange.worker, clock, exchange.exchange.outbox.wake)
        notifier = Notifier(exchange.worker, exchange.bus, clock,
                            BusinessCalendar.twenty_four_seven(),
                            senders={NoticeWay.SMS: sender})
        await notifier.start()
        await exchange.worker.call(save_choices, 2, StoredChoices(ways={"sla_breach": "sms"}))
        tickets = TicketBook(exchange.worker.db, exchange.bus, clock, worker=exchange.worker)
        numbers = []
        for i in range(BURST):  # one escalation round finds them all breached
            ticket = await tickets.open_ticket("email", f"Tilaus {i}", assignee_id=2)
            numbers.append(ticket.number)
            exchange.bus.publish(SlaBreached(at=clock.now(), ticket_id=ticket.id,
                                             due=clock.now(), assignee_id=2))
        assert await notifier.send_due() == BURST  # the round's last check
        listed = ", ".join(f"#{n}" for n in numbers[:3])
        text = f"{BURST} tiketin palvelutasoaika ylittyi: {listed} ja {BURST - 3} muuta."
        await exchange.until(lambda: exchange.sent_sms() == [(AGENT_PHONES[1], text)],
                             within=FIRST_RETRY.total_seconds() + 15.0)
        rows = await exchange.query(lambda: [r.state for r in SmsOutboxEntry.select()])
        assert rows == ["sent"]
        await notifier.stop()
    finally:
        await stop_exchange(exchange)
