"""The demo's sample mailbox: each sample mail goes through the real intake once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.config.aspa_toml import config_from_mapping
from appliance.demo.mailbox import DemoMailbox, sample_mails
from appliance.runtime.daemon import Daemon
from appliance.spine.clock import ManualClock
from appliance.spine.events import Event, MessageAdded, TicketCreated
from appliance.store.models import Message, Ticket


async def test_sample_mails_become_tickets_threads_and_nothing_twice(tmp_path: Path) -> None:
    config = config_from_mapping({"data_dir": str(tmp_path), "web": {"enabled": False}}, tmp_path)
    mail = DemoMailbox(first_after_s=3600)  # the test delivers by hand
    daemon = Daemon(config, adapters=[mail])
    mail.attach(daemon)
    seen: list[Event] = []
    daemon.bus.subscribe("test", seen.append, [TicketCreated, MessageAdded])
    await daemon.start()
    try:
        samples = sample_mails()
        assert len(samples) == 5
        kinds = [(await mail.deliver(raw)).kind for raw in samples]
        again = await mail.deliver(samples[0])
        await daemon.bus.drain()
        assert daemon.store is not None
        tickets = await daemon.store.call(lambda: Ticket.select().count())
        threaded = await daemon.store.call(
            lambda: Message.select().join(Ticket).where(
                Ticket.subject == "Toimitus myöhässä").count())
    finally:
        await daemon.stop()
    # The follow-up (In-Reply-To the first mail) joins the first ticket.
    assert kinds[0] == "created" and kinds[4] == "threaded"
    assert again.kind == "duplicate"
    assert threaded == 2
    assert tickets == kinds.count("created")
    assert sum(isinstance(e, TicketCreated) for e in seen) == tickets
    # Every mail now sits in cur/ flagged seen, as a mail client leaves it.
    maildir = tmp_path / "demo-mailbox"
    assert not list((maildir / "new").iterdir())
    assert all(name.name.endswith(",S") for name in (maildir / "cur").iterdir())
    assert len(list((maildir / "cur").iterdir())) == 6


async def test_sample_mails_are_due_by_the_sla_the_demo_runs_on(tmp_path: Path) -> None:
    config = config_from_mapping({"data_dir": str(tmp_path), "web": {"enabled": False},
                                  "sla": {"business_hours_only": False,
                                          "normal": {"first_response_minutes": 7,
                                                     "resolution_minutes": 70}}}, tmp_path)
    mail = DemoMailbox(first_after_s=3600)  # the test delivers by hand
    daemon = Daemon(config, adapters=[mail], clock=ManualClock(datetime(2026, 12, 7, 9, 0,
                                                                        tzinfo=UTC)))
    mail.attach(daemon)
    await daemon.start()
    try:
        outcome = await mail.deliver(sample_mails()[0])
        assert daemon.store is not None
        row = await daemon.store.call(Ticket.get_by_id, outcome.ticket_id)
    finally:
        await daemon.stop()
    assert row.first_response_due - row.created_at == timedelta(minutes=7)
    assert row.resolution_due - row.created_at == timedelta(minutes=70)
