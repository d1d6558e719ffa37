"""The mail adapters as the daemon runs them: Dovecot in, tickets made, acknowledgement out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import peewee as pw
import pytest

from appliance.config.sections.mail import MailboxSettings, MailSettings, SmtpSettings
from appliance.mail import outbox_sender
from appliance.mail.intake import MailIntake, mail_adapters
from appliance.mail.replies import queue_reply
from appliance.ports.adapter import Adapter
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, HealthChanged, MessageAdded, TicketCreated
from appliance.store.models import Ticket
from appliance.store.work_items import read_open_items
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from tests.mail.mail_factory import plain_mail
from tests.peers.dovecot import ImapAccount
from tests.peers.smtp import SmtpServer

WAIT_S = 20.0  # generous: the machines running the suite are shared


def mail_settings(account: ImapAccount, smtp: SmtpServer, **mailbox: object) -> MailSettings:
    box: dict[str, object] = dict(name="support", host=account.host, port=account.port,
                                  security="none", user=account.user, password=account.password,
                                  acknowledge=True)
    box.update(mailbox)
    return MailSettings(
        mailboxes=[MailboxSettings(**box)],  # type: ignore[arg-type]
        smtp=SmtpSettings(host=smtp.host, port=smtp.port, security="none",
                          from_address="tuki@yritys.fi", domain="aspa.example.fi"))


async def test_new_mail_becomes_a_ticket_and_its_sender_gets_one_acknowledgement(
    imap_account: ImapAccount, smtp_server: SmtpServer, store: pw.Database, tmp_path: Path
) -> None:
    bus = EventBus()
    created = asyncio.Event()
    bus.subscribe("test", lambda e: created.set(), [TicketCreated])
    bus.start()
    adapters = mail_adapters(mail_settings(imap_account, smtp_server), bus, tmp_path)
    assert all(isinstance(a, Adapter) for a in adapters)
    for adapter in adapters:
        await adapter.start()
    try:
        imap_account.append(plain_mail(sender="Liisa <liisa@asiakas.fi>", subject="Apua"))
        await asyncio.wait_for(created.wait(), WAIT_S)
        (ack,) = await smtp_server.messages_arrived(1)
        assert ack.rcpt_tos == ("liisa@asiakas.fi",)
        assert ack.parsed()["Subject"] == "Re: [#1001] Apua"
        assert ack.parsed()["Auto-Submitted"] == "auto-replied"
        intake = next(a for a in adapters if isinstance(a, MailIntake))
        assert intake.health().ok
    finally:
        for adapter in reversed(adapters):
            await adapter.stop()
        await bus.stop()
    assert Ticket.select().count() == 1


async def test_wrong_password_shows_in_adapter_health_and_on_the_bus(
    imap_account: ImapAccount, smtp_server: SmtpServer, store: pw.Database, tmp_path: Path
) -> None:
    bus = EventBus()
    failed = asyncio.Event()
    bus.subscribe("test", lambda e: failed.set() if not e.ok else None,  # type: ignore[attr-defined]
                  [HealthChanged])
    bus.start()
    intake = MailIntake(mail_settings(imap_account, smtp_server, password="väärä"), bus, tmp_path)
    await intake.start()
    try:
        await asyncio.wait_for(failed.wait(), WAIT_S)
        health = intake.health()
        assert not health.ok
        assert "support: " in health.detail and "refused the login" in health.detail
    finally:
        await intake.stop()
        await bus.stop()


async def test_an_agents_reply_is_sent_as_soon_as_the_web_says_it_was_stored(
    imap_account: ImapAccount, smtp_server: SmtpServer, store: pw.Database, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the wake-up the sender would wait an hour: only the event can make it send.
    monkeypatch.setattr(outbox_sender, "LOOK_EVERY_S", 3600.0)
    bus = EventBus()
    created = asyncio.Event()
    bus.subscribe("test", lambda e: created.set(), [TicketCreated])
    bus.start()
    settings = mail_settings(imap_account, smtp_server, acknowledge=False)
    intake = MailIntake(settings, bus, tmp_path)
    await intake.start()
    try:
        imap_account.append(plain_mail(sender="liisa@asiakas.fi", subject="Kysymys"))
        await asyncio.wait_for(created.wait(), WAIT_S)
        ticket = Ticket.get()
        row = queue_reply(ticket.id, "Vastaus", settings=settings.smtp, clock=intake.clock)
        bus.publish(MessageAdded(at=intake.clock.now(), message_id=row.message_id or 0,
                                 channel="email", direction="out", ticket_id=ticket.id))
        (sent,) = await smtp_server.messages_arrived(1, WAIT_S)
        assert sent.parsed()["Subject"] == "Re: [#1001] Kysymys"
        assert intake.health().ok
    finally:
        await intake.stop()
        await bus.stop()


class CountingStore(StoreWorker):
    """The real store thread, counting the switchboard's read-backs of changed tickets."""

    def __init__(self, db: pw.Database) -> None:
        super().__init__(db)
        self.read_backs = 0

    def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        if fn is read_open_items:
            self.read_backs += 1
        return super().submit(fn, *args, **kwargs)


async def test_a_committed_batch_is_filed_in_the_queue_with_one_read_back(
    imap_account: ImapAccount, smtp_server: SmtpServer, store: pw.Database, tmp_path: Path
) -> None:
    for n in range(8):
        imap_account.append(plain_mail(sender=f"asiakas{n}@asiakas.fi", subject=f"Asia {n}"))
    bus = EventBus()
    worker = CountingStore(store)
    board = Switchboard(worker, bus, ManualClock())
    await board.load()
    board.attach()
    created: list[Event] = []
    all_created = asyncio.Event()

    def count(event: Event) -> None:
        created.append(event)
        if len(created) == 8:
            all_created.set()

    bus.subscribe("test", count, [TicketCreated])
    bus.start()
    intake = MailIntake(mail_settings(imap_account, smtp_server, acknowledge=False), bus,
                        tmp_path, parse_process=False)
    await intake.start()
    try:
        await asyncio.wait_for(all_created.wait(), WAIT_S)
        await bus.drain()
    finally:
        await intake.stop()
        await bus.stop()
        await asyncio.to_thread(worker.close)
    # the eight new tickets (and their messages) came in one commit, so in one hand-over
    assert board.open_count == 8
    assert worker.read_backs == 1
