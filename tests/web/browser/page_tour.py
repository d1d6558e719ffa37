"""A box with something on every page, and the list of pages each role can open on it.

The accessibility and screenshot tests walk these pages: the queue with waiting work, a
ticket with a conversation, a customer, search hits, a pending ticket, quarantine, the
admin pages on a full aspa.toml, the setup steps and the error pages.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from appliance.config.aspa_toml import load_config
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Quarantine
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, AGENT, Site
from tests.web.settings_files import CONFIG as SETTINGS_CONFIG

CONFIG = SETTINGS_CONFIG + """
[mail.smtp]
host = "smtp.example.fi"
from_address = "tuki@example.fi"

[[mail.mailboxes]]
name = "tuki"
host = "imap.example.fi"
user = "tuki@example.fi"
password = "postin-salasana-3"
"""
QUARANTINED_MAIL = (b"From: Pekka <pekka@example.fi>\r\nTo: tuki@example.fi\r\n"
                    b"Subject: Lasku\r\nMessage-ID: <q1@example.fi>\r\n\r\nBroken\r\n")


@dataclass(frozen=True)
class TourPage:
    """One page of the tour: its address and a short name for reports and screenshot files.

    A page shown after a form is sent has the form's fields to type into (`typed`: selector,
    text), its submit button (`send`) and what the answer shows (`shows`, a selector).
    """

    name: str
    path: str
    typed: tuple[tuple[str, str], ...] = ()
    send: str = ""
    shows: str = ""


@dataclass(frozen=True)
class Tour:
    """The sample things the pages show."""

    ticket: int
    pending_ticket: int
    customer_id: int
    quarantine_id: int


def agent_pages(tour: Tour) -> list[TourPage]:
    """What an agent opens in a day."""
    return [
        TourPage("queue", "/"),
        TourPage("ticket", f"/tickets/{tour.ticket}"),
        TourPage("ticket-pending", f"/tickets/{tour.pending_ticket}"),
        TourPage("tickets", "/tickets"),
        TourPage("pending", "/tickets?status=pending"),
        TourPage("customers", "/customers"),
        TourPage("customer", f"/customers/{tour.customer_id}"),
        TourPage("search", "/search?q=printer"),
        TourPage("ticket-merge", f"/tickets/{tour.ticket}/merge?q=invoice"),
        TourPage("reports", "/reports"),
        TourPage("wallboard", "/wallboard"),
        TourPage("presence", "/presence"),
        TourPage("password", "/password"),
        TourPage("saved-replies", "/replies"),
        TourPage("saved-reply", "/replies/1"),
        TourPage("notices", "/notices"),
        TourPage("not-allowed", "/admin/settings"),
        TourPage("not-found", "/tickets/999999"),
    ]


def admin_pages(tour: Tour) -> list[TourPage]:
    """The admin's pages on top of an agent's."""
    return [p for p in agent_pages(tour) if p.name != "not-allowed"] + [
        TourPage("customer-merge", f"/customers/{tour.customer_id}/merge?q=Pekka"),
        TourPage("erase", f"/admin/customers/{tour.customer_id}/erase"),
        TourPage("quarantine", "/quarantine"),
        TourPage("quarantine-raw", f"/quarantine/{tour.quarantine_id}"),
        TourPage("agents", "/admin/agents"),
        TourPage("mailboxes", "/admin/mailboxes"),
        TourPage("settings", "/admin/settings"),
        TourPage("prompts", "/admin/prompts"),
        TourPage("wall-screens", "/admin/wall-screens"),
        TourPage("wall-screen-link", "/admin/wall-screens",
                 typed=(("form.stack input[name=name]", "Lobby TV"),),
                 send="form.stack button[type=submit]", shows="#wall-link"),
        TourPage("agent-refused", "/admin/agents",
                 typed=(("form.stack input[name=name]", "Anna Again"),
                        ("form.stack input[name=login]", AGENT[0]),
                        ("form.stack input[name=password]", "long-enough-1")),
                 send="form.stack button[type=submit]", shows="[role=alert]"),
        TourPage("audit", "/admin/audit"),
        TourPage("setup-line", "/setup/line"),
        TourPage("setup-mailbox", "/setup/mailbox"),
        TourPage("setup-agents", "/setup/agents"),
    ]


# an agent's pages look as an admin's but for the menu: shot are the queue and the refusal
AGENT_SHOTS = ("queue", "not-allowed")
FIRST_BOOT = TourPage("setup", "/setup")


def screenshot_names(tour: Tour) -> set[str]:
    """The names of docs/screenshots/'s pictures, without the width: `admin-queue`."""
    return ({f"admin-{p.name}" for p in admin_pages(tour)} | {f"agent-{n}" for n in AGENT_SHOTS}
            | {p.name for p in signed_out_pages()} | {f"first-boot-{FIRST_BOOT.name}"}
            | {"wall-screen-tv", "wall-screen-unpaired"})


def signed_out_pages() -> list[TourPage]:
    """Pages without a login: the login form and a wall screen's pairing form."""
    return [TourPage("login", "/login"),
            TourPage("login-refused", "/login",
                     typed=(("input[name=login]", ADMIN[0]), ("input[name=password]", "wrong")),
                     send="form.stack button[type=submit]", shows="[role=alert]"),
            TourPage("wall-pair", "/wall/pair")]


async def _fill(site: Site) -> Tour:
    """Tickets, customers, a pending ticket and a quarantined mail, as a working box has."""
    tickets, store = site.tickets, site.store
    directory = CustomerDirectory(store.db)
    maija, _ = await store.call(directory.find_or_create, "email", "maija@example.fi",
                                name="Maija Meikäläinen")
    await store.call(directory.add_contact, maija.id, "phone", "+358401234567")
    pekka, _ = await store.call(directory.find_or_create, "email", "pekka@example.fi",
                                name="Pekka Puhelias")
    first = await tickets.open_ticket("email", "The printer prints nothing", maija.id,
                                      message=MessageDraft(
        channel="email", direction="in", sender="Maija Meikäläinen <maija@example.fi>",
        subject="The printer prints nothing",
        body_text="Good morning,\n\nthe office printer has printed nothing since Friday."))
    await tickets.add_message(first.id, MessageDraft(
        channel="note", direction="internal", body_text="@anna the toner was changed on Monday",
        sender="Admin Example"))
    await tickets.open_ticket("email", "Invoice 2026-118 is twice on the statement", pekka.id,
                              message=MessageDraft(
        channel="email", direction="in", sender="Pekka Puhelias <pekka@example.fi>",
        subject="Invoice 2026-118 is twice on the statement", body_text="Please check."))
    waiting = await tickets.open_ticket("sms", "Delivery address", maija.id,
                                        message=MessageDraft(
        channel="sms", direction="in", sender="+358401234567",
        body_text="Can you send it to the Tampere office instead?"))
    await tickets.set_pending(waiting.id, tickets.records.clock.now() + timedelta(days=2),
                              "waiting for the new address")
    quarantined = await store.call(lambda: Quarantine.create(
        source="mail:tuki", reason="the mail has no From address", raw=QUARANTINED_MAIL))
    await site.bus.drain()
    return Tour(ticket=int(first.number), pending_ticket=int(waiting.number),
                customer_id=maija.id, quarantine_id=quarantined.id)


@asynccontextmanager
async def tour_site(*, with_admin: bool = True) -> AsyncIterator[tuple[Site, Tour | None]]:
    """The web app on a full aspa.toml and a filled store; without an admin it is at setup."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-tour-"))
    config_file = data_dir / "aspa.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    accounts = Accounts(store.db, clock)
    admin_id = agent_id = 0
    if with_admin:
        admin_id = (await store.call(accounts.add_user, "Admin Example", ADMIN[0], "admin",
                                     ADMIN[1])).id
        agent_id = (await store.call(accounts.add_user, "Anna Agent", AGENT[0], "agent",
                                     AGENT[1])).id
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    config = load_config(config_file)
    backend = backend_on(store, board, clock, bus, data_dir=data_dir, config=config,
                         config_path=config_file, smtp=config.mail.smtp)
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    site = Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
                board=board, data_dir=data_dir, admin_id=admin_id, agent_id=agent_id)
    try:
        yield site, (await _fill(site) if with_admin else None)
    finally:
        await runner.cleanup()
        await bus.stop()
        store.close()
        shutil.rmtree(data_dir, ignore_errors=True)
