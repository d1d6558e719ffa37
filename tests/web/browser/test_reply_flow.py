"""Replying in Chromium as an agent does: set a signature on the own page, answer with a file
and "reply to all", and check the mail the SMTP server (aiosmtpd) received; a program and a
file over the cap are refused with the reason and the typed text kept; the SMS counter."""

from __future__ import annotations

import email.policy
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.outbox_sender import OutboxSender
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.models import Message, Ticket
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.peers.smtp import SmtpServer
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, AGENT, Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

TYPED = "Hei Maija,\n\nliitteenä ohje, katso myös https://yritys.example/ohje."
SIGNATURE = "Anna Agentti\nYritys Oy, asiakastuki"
MANUAL = b"%PDF-1.4\n" + bytes(range(256)) * 64


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """The web app with outgoing mail through a real SMTP server on loopback; files up to
    100 KB each, so that a larger one shows the cap."""
    server = SmtpServer()
    server.start()
    settings = SmtpSettings(host=server.host, port=server.port, security="none",
                            from_address="tuki@yritys.example", from_name="Yritys Oy",
                            domain="yritys.example", attachment_max_mb=0.1,
                            attachments_max_mb=0.2)
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-reply-"))
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    accounts = Accounts(store.db, clock)
    admin = await store.call(accounts.add_user, "Admin Example", ADMIN[0], "admin", ADMIN[1])
    agent = await store.call(accounts.add_user, "Anna Agent", AGENT[0], "agent", AGENT[1])
    bus = EventBus()
    board = await loaded_board(store, bus, clock)
    bus.start()
    backend = backend_on(store, board, clock, bus, data_dir=data_dir, smtp=settings)
    runner = web.AppRunner(make_app(backend, secret_key=secrets.token_bytes(32), clock=clock),
                           shutdown_timeout=1.0)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id, agent_id=agent.id,
               extra={"smtp": server, "settings": settings, "clock": clock})
    await runner.cleanup()
    await bus.stop()
    store.close()
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


async def _ticket(site: Site) -> int:
    """Maija's mail to the office, copied to a colleague of hers."""
    directory = CustomerDirectory(site.store.db)
    customer, _ = await site.store.call(directory.find_or_create, "email", "maija@asiakas.fi",
                                        name="Maija Meikäläinen")
    ticket = await site.tickets.open_ticket("email", "Tulostimen ohje", customer.id,
                                            message=MessageDraft(
        channel="email", direction="in", body_text="Missä on tulostimen ohje?",
        sender="maija@asiakas.fi", recipients="tuki@yritys.example, pekka@asiakas.fi",
        subject="Tulostimen ohje", message_id="kysymys-1@asiakas.fi"))
    await site.bus.drain()
    return int(ticket.number)


async def test_reply_with_a_file_a_copy_and_a_signature(
    site: Site, watched: Watched, tmp_path: Path
) -> None:
    server: SmtpServer = site.extra["smtp"]
    number = await _ticket(site)
    page = watched.page
    await log_in(page, site, AGENT)

    await page.goto(site.url + "/password")
    await page.fill("#sender-name", "Anna Agentti")
    await page.fill("#signature", SIGNATURE)
    await page.click("#replies-form button[type=submit]")
    await page.wait_for_selector("#replies-saved")
    assert "Anna Agentti via Yritys Oy" in await page.content()

    manual = tmp_path / "Tulostimen ohje.pdf"
    manual.write_bytes(MANUAL)
    await page.goto(f"{site.url}/tickets/{number}")
    await page.fill("#reply-body", TYPED)
    await page.click("#reply-all")
    assert await page.input_value("#reply-cc") == "pekka@asiakas.fi"
    await page.set_input_files("#reply-files", str(manual))
    await page.click("#reply-form button[type=submit]")
    await page.wait_for_selector("text=The reply is on its way.")
    assert await page.locator("ul.files a", has_text="Tulostimen ohje.pdf").count() == 1

    sender = OutboxSender(site.extra["settings"], site.bus.publish, site.extra["clock"])
    assert await sender.send_due() == 1
    [received] = await server.messages_arrived(1)
    assert set(received.rcpt_tos) == {"maija@asiakas.fi", "pekka@asiakas.fi"}
    mail = message_from_bytes(received.raw, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    assert mail["Cc"] == "pekka@asiakas.fi"
    assert mail["From"] == "Anna Agentti via Yritys Oy <tuki@yritys.example>"
    assert mail["In-Reply-To"] == "<kysymys-1@asiakas.fi>"
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and rich is not None
    text = plain.get_content().replace("\r\n", "\n")
    assert text.startswith(TYPED + "\n\n-- \n" + SIGNATURE + "\n\n")
    assert "> Missä on tulostimen ohje?" in text
    markup = rich.get_content()
    assert '<a href="https://yritys.example/ohje">' in markup and "Yritys Oy, asiakastuki" in markup
    [file] = list(mail.iter_attachments())
    assert file.get_filename() == "Tulostimen ohje.pdf" and file.get_content() == MANUAL
    assert watched.errors == []


async def test_a_program_is_refused_and_the_typed_reply_kept(
    site: Site, watched: Watched, tmp_path: Path
) -> None:
    number = await _ticket(site)
    page = watched.page
    await log_in(page, site, AGENT)
    program = tmp_path / "päivitys.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    await page.goto(f"{site.url}/tickets/{number}")
    await page.fill("#reply-body", TYPED)
    await page.fill("#reply-cc", "pekka@asiakas.fi")
    await page.set_input_files("#reply-files", str(program))
    await page.click("#reply-form button[type=submit]")
    problem = await page.locator("#reply-problem").inner_text()
    assert "päivitys.exe: files that run programs or scripts" in problem
    assert await page.input_value("#reply-body") == TYPED
    assert await page.input_value("#reply-cc") == "pekka@asiakas.fi"
    replies = await site.store.call(lambda: Message.select().join(Ticket).where(
        (Message.direction == "out") & (Ticket.number == number)).count())
    assert replies == 0


async def test_a_file_over_the_cap_is_stopped_on_the_page(
    site: Site, watched: Watched, tmp_path: Path
) -> None:
    number = await _ticket(site)
    page = watched.page
    await log_in(page, site, AGENT)
    large = tmp_path / "iso.pdf"
    large.write_bytes(b"%PDF" + b"x" * 150_000)
    await page.goto(f"{site.url}/tickets/{number}")
    await page.fill("#reply-body", TYPED)
    await page.set_input_files("#reply-files", str(large))
    await page.wait_for_selector("#reply-files-problem:not([hidden])")
    assert "iso.pdf is too large: one file may be at most 0.1 MB." in await page.locator(
        "#reply-files-problem").inner_text()
    await page.click("#reply-form button[type=submit]")
    assert page.url == f"{site.url}/tickets/{number}"  # not sent: the page stays
    assert await page.input_value("#reply-body") == TYPED


async def test_the_sms_counter_before_sending(site: Site, watched: Watched) -> None:
    number = await _ticket(site)
    page = watched.page
    await log_in(page, site, AGENT)
    await page.goto(f"{site.url}/tickets/{number}")
    assert not await page.locator("#sms-count").is_visible()
    await page.select_option("#reply-channel", "sms")
    assert not await page.locator("#reply-cc").is_visible()
    await page.fill("#reply-body", "a" * 161)
    assert await page.locator("#sms-count").inner_text() == (
        "Characters: 161, SMS parts: 2 (GSM-7: 160 fit in one SMS, 153 in each part)")
    await page.fill("#reply-body", "Terveisiä Košiceen" + "!" * 60)
    assert await page.locator("#sms-count").inner_text() == (
        "Characters: 78, SMS parts: 2 (UCS-2 for special characters: 70 fit in one SMS, "
        "67 in each part)")
