"""The mail forms in Chromium: a test mail through a real SMTP server shows the server's
words, and a failed mailbox test keeps every typed value for the next try."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from appliance.config.aspa_toml import load_config
from appliance.spine.bus import EventBus
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from tests.peers.dovecot import ImapAccount
from tests.peers.smtp import SmtpFactory
from tests.web.board_backend import backend_on, loaded_board
from tests.web.browser.conftest import ADMIN, Site, Watched, log_in
from tests.web.mailbox_config_files import CONFIG

pytestmark = pytest.mark.asyncio(loop_scope="session")

LOGIN, PASSWORD = "tuki@example.fi", "Lahteva-9-Posti"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site() -> AsyncIterator[Site]:
    """The web app on a store and an aspa.toml it may change, on a free loopback port."""
    data_dir = Path(tempfile.mkdtemp(prefix="aspa-mail-forms-"))
    config_file = data_dir / "aspa.toml"
    config_file.write_text(CONFIG, encoding="utf-8")
    db = open_store(data_dir / "aspa.db")
    db.close()
    store = StoreWorker(db)
    clock = SystemClock()
    admin = await store.call(Accounts(store.db, clock).add_user, "Admin Example", ADMIN[0],
                             "admin", ADMIN[1])
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
    yield Site(url=f"http://127.0.0.1:{port}", store=store, tickets=backend.tickets, bus=bus,
               board=board, data_dir=data_dir, admin_id=admin.id,
               extra={"config_file": config_file})
    await runner.cleanup()
    await bus.stop()
    store.close()
    shutil.rmtree(data_dir, ignore_errors=True)


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


async def test_a_test_mail_shows_the_servers_words_refusal_included(
    site: Site, watched: Watched, make_smtp_server: SmtpFactory
) -> None:
    server = make_smtp_server(LOGIN, PASSWORD)
    config_file: Path = site.extra["config_file"]
    before = _bytes(config_file)
    page = watched.page
    await log_in(page, site)
    await page.goto(site.url + "/admin/mailboxes")
    await page.fill("#out-host", server.host)
    await page.fill("#out-port", str(server.port))
    await page.select_option("#out-security", "none")
    await page.fill("#out-user", LOGIN)
    await page.fill("#out-password", "vaara-salasana")
    await page.fill("#out-from-address", "tuki@example.fi")
    await page.click("#outgoing button[formaction$='/test']")
    await page.wait_for_selector("#outgoing >> text=Test mail failed:")
    said = await page.inner_text("#outgoing [role=status]")
    assert "535 5.7.8 Authentication credentials invalid" in said
    assert await page.input_value("#out-password") == "vaara-salasana"  # kept for a fix
    assert await page.input_value("#out-host") == server.host
    await page.fill("#out-password", PASSWORD)
    await page.click("#outgoing button[formaction$='/test']")
    await page.wait_for_selector("#outgoing >> text=Test mail sent:")
    assert "250 2.0.0 Message accepted" in await page.inner_text("#outgoing [role=status]")
    assert server.wait_for_messages(1)[0].login == LOGIN
    assert _bytes(config_file) == before  # a test saves nothing


async def test_a_failed_mailbox_test_keeps_the_typed_values(
    site: Site, watched: Watched, imap_account: ImapAccount
) -> None:
    page = watched.page
    await log_in(page, site)
    await page.goto(site.url + "/admin/mailboxes")
    await page.fill("#new-name", "tuki")
    await page.fill("#new-host", imap_account.host)
    await page.fill("#new-port", str(imap_account.port))
    await page.select_option("#new-security", "none")
    await page.fill("#new-user", imap_account.user)
    await page.fill("#new-password", "vaara-salasana")
    await page.click("form[action='/admin/mailboxes'] button[formaction$='/test']")
    await page.wait_for_selector("text=Connection failed:")
    for field, value in (("#new-host", imap_account.host), ("#new-port", str(imap_account.port)),
                         ("#new-user", imap_account.user), ("#new-password", "vaara-salasana")):
        assert await page.input_value(field) == value, field
    await page.fill("#new-password", imap_account.password)
    await page.click("form[action='/admin/mailboxes'] button[formaction$='/test']")
    await page.wait_for_selector("text=Connection works:")
