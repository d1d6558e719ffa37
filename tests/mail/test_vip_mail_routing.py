"""A VIP's email, through a real Dovecot, is raised and offered to their account manager first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import peewee as pw

from appliance.mail.intake import MailIntake
from appliance.presence.states import Presence
from appliance.presence.transitions import set_presence
from appliance.queue.customer_routing import CustomerRules, ManagerRule
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import TicketPriorityChanged
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Customer, Ticket
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.tickets.priority import Priority
from tests.mail.mail_factory import plain_mail
from tests.mail.test_mail_adapters import mail_settings
from tests.peers.dovecot import ImapAccount
from tests.peers.smtp import SmtpServer

WAIT_S = 20.0  # generous: the machines running the suite are shared
RULES = CustomerRules(vip_priority=Priority.HIGH, manager_rule=ManagerRule.OFFER,
                      offer_first_s=600.0)


async def test_a_vips_email_is_offered_to_the_account_manager_first(
    imap_account: ImapAccount, smtp_server: SmtpServer, store: pw.Database, tmp_path: Path
) -> None:
    clock = ManualClock(datetime.now(UTC))
    accounts = Accounts(store, clock)
    anna = accounts.add_user("Anna Virtanen", "anna", "agent", "anna-password-1")
    pekka = accounts.add_user("Pekka Lahti", "pekka", "agent", "pekka-password-1")
    vip, _ = CustomerDirectory(store).find_or_create("email", "toimitusjohtaja@asiakas.fi")
    Customer.update(vip=True, account_manager=anna.id).where(Customer.id == vip.id).execute()
    for n in range(3):  # others' mail waits in the queue already
        Ticket.create(number=900 + n, channel="email", subject=f"Muu {n}", status="new",
                      created_at=clock.now() - timedelta(hours=1),
                      resolution_due=clock.now() + timedelta(hours=n + 2))

    bus = EventBus()
    worker = StoreWorker(store)
    board = Switchboard(worker, bus, clock, rules=RULES)
    await board.load()
    board.use_tickets(TicketBook(store, bus, clock, worker=worker))
    board.attach()
    for agent in (anna.id, pekka.id):
        board.change_presence(agent, lambda s, now: set_presence(s, Presence.AVAILABLE, now),
                              source="web")
    raised = asyncio.Event()
    bus.subscribe("test", lambda e: raised.set(), [TicketPriorityChanged])
    bus.start()
    intake = MailIntake(mail_settings(imap_account, smtp_server, acknowledge=False), bus,
                        tmp_path, clock)
    await intake.start()
    try:
        imap_account.append(plain_mail(sender="Toimitusjohtaja <toimitusjohtaja@asiakas.fi>",
                                       subject="Sopimuksen jatko"))
        await asyncio.wait_for(raised.wait(), WAIT_S)
        await bus.drain()
        await board.caught_up()
        ticket = await worker.call(lambda: Ticket.get(Ticket.subject == "Sopimuksen jatko"))
        assert ticket.customer_id == vip.id and ticket.priority == "high"
        item = board.item(f"ticket:{ticket.id}")
        assert item is not None and item.priority is Priority.HIGH
        assert item.offered_to == anna.id
        assert board.next_for(anna.id) == item  # first in line for the manager
        assert board.next_for(pekka.id) is not None
        assert board.next_for(pekka.id).id != item.id  # type: ignore[union-attr]

        clock.advance(600)  # the manager's ten minutes are up: everyone's now
        assert board.release_offers() == [item.id]
        assert board.take(pekka.id).id == item.id  # the most urgent SLA of the queue
    finally:
        await intake.stop()
        await bus.stop()
        await asyncio.to_thread(worker.close)

