"""Notices in Chromium: Anna chooses mail for mentions on her own page; while her page is
closed, a note that mentions her by name reaches her by mail (a real SMTP server); while it
is open, the page tells her and nothing is mailed."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.notice_mail import NoticeMail
from appliance.mail.outbox_sender import OutboxSender
from appliance.ports.notices import OpenPages
from appliance.queue.notice_rules import NoticeWay
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft
from appliance.store.worker import StoreWorker
from appliance.switchboard.notifier import Notifier
from appliance.tickets.business_calendar import BusinessCalendar
from appliance.web.app import make_app
from appliance.web.frame.live import KEEPALIVE_S
from tests.peers.smtp import SmtpServer
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, AGENT, Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

WAIT_S = 20.0


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """The web app with the notifier mailing through the outbox to a real SMTP server; the
    office is always open here, so no quiet hours hold the mail."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-notices-"))
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    accounts = Accounts(store.db, clock)
    admin = await store.call(accounts.add_user, "Admin Example", ADMIN[0], "admin", ADMIN[1])
    agent = await store.call(accounts.add_user, "Anna Agent", AGENT[0], "agent", AGENT[1])
    smtp_server = SmtpServer()
    smtp_server.start()
    smtp = SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="none",
                        from_address="aspa@toimisto.fi", domain="toimisto.fi")
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    pages = OpenPages()
    notifier = Notifier(store, bus, clock, BusinessCalendar.twenty_four_seven(),
                        senders={NoticeWay.EMAIL: NoticeMail(smtp, store, clock)},
                        page_open=pages.has_open, language="en")
    await notifier.start()
    bus.start()
    backend = backend_on(store, board, clock, bus, data_dir=data_dir)
    backend.open_pages = pages
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id, agent_id=agent.id,
               extra={"smtp": smtp_server, "outbox": OutboxSender(smtp, bus.publish, clock),
                      "pages": pages})
    await runner.cleanup()
    await notifier.stop()
    await bus.stop()
    store.close()
    smtp_server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


async def _until(check: object, what: str, within_s: float = WAIT_S) -> None:
    for _ in range(int(within_s / 0.05)):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never came true: {what}")


async def test_a_mention_reaches_anna_by_mail_while_her_page_is_closed(
        site: Site, watched: Watched, browser: object) -> None:
    smtp: SmtpServer = site.extra["smtp"]
    outbox: OutboxSender = site.extra["outbox"]
    pages: OpenPages = site.extra["pages"]
    ticket = await site.tickets.open_ticket("email", "Lasku väärin", message=MessageDraft(
        channel="email", direction="in", body_text="Laskussa on virhe.", sender="a@asiakas.fi"))

    # Anna chooses mail for mentions on her own page, then closes it
    anna_context = await browser.new_context()  # type: ignore[attr-defined]
    anna = await anna_context.new_page()
    await log_in(anna, site, AGENT)
    await anna.goto(site.url + "/notices")
    await anna.select_option("select[name=way_mention]", "email")
    await anna.fill("input[name=notice_email]", "anna@toimisto.fi")
    await anna.click("form.stack button[type=submit]")
    await anna.wait_for_url(site.url + "/notices?saved=1")
    await anna_context.close()
    # the server learns of a closed page at the stream's next keep-alive (live.KEEPALIVE_S)
    await _until(lambda: not pages.has_open(site.agent_id), "Anna's page closed",
                 within_s=KEEPALIVE_S * 3)

    page = watched.page
    await log_in(page, site)
    await page.goto(f"{site.url}/tickets/{ticket.number}")
    await page.fill("#note-body", "@Anna Agent tarkistatko laskun?")
    await page.click("#note-form button[type=submit]")
    await page.wait_for_selector("article.note >> text=tarkistatko laskun")
    await site.bus.drain()
    assert await outbox.send_due() == 1
    (mail,) = await smtp.messages_arrived(1, WAIT_S)
    assert mail.rcpt_tos == ("anna@toimisto.fi",)
    assert (f"Admin Example mentioned you in an internal note on ticket #{ticket.number}"
            in mail.parsed().get_content())

    # with her page open she is told there, and mailed nothing
    anna_context = await browser.new_context()  # type: ignore[attr-defined]
    anna = await anna_context.new_page()
    await log_in(anna, site, AGENT)
    await anna.wait_for_selector("body[data-live-ready='1']")
    await page.fill("#note-body", "@anna katso vielä tämä")
    await page.click("#note-form button[type=submit]")
    await anna.wait_for_selector(f"#notice >> text=#{ticket.number}")
    await site.bus.drain()
    assert await outbox.send_due() == 0
    assert len(smtp.messages) == 1
    await anna_context.close()
    assert watched.errors == []
