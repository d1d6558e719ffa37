"""First boot, the mailbox step: a real form that tests, saves the first mailbox, or is skipped."""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.config.aspa_toml import load_config
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.worker import StoreWorker
from appliance.web.app import make_app
from appliance.web.mailboxes.mailbox_config import password_file_name
from tests.peers.dovecot import ImapAccount
from tests.web.board_backend import loaded_board
from tests.web.conftest import csrf_token_in
from tests.web.mailbox_config_files import (  # noqa: F401 (fixtures)
    backend_for,
    config_file,
    file_bytes,
    file_names,
    file_text,
    mode_of,
)


@pytest.fixture
async def first_boot(store: StoreWorker, clock: ManualClock, tmp_path: Path,
                     config_file: Path) -> AsyncIterator[TestClient]:  # noqa: F811
    """A box with aspa.toml and no admin yet."""
    board = await loaded_board(store, EventBus(), clock)
    backend = backend_for(store, board, clock, None, tmp_path, config_file)
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def _first_admin(client: TestClient) -> str:
    """Make the admin through /setup; returns the CSRF token of the mailbox step."""
    token = csrf_token_in(await (await client.get("/setup")).text())
    made = await client.post("/setup", allow_redirects=False, data={
        "csrf_token": token, "name": "Olli", "login": "olli", "password": "hyvä-salasana",
        "password2": "hyvä-salasana"})
    assert made.status == 303
    page = await client.get("/setup/mailbox")
    assert page.status == 200
    text = await page.text()
    assert 'action="/setup/mailbox"' in text and 'formaction="/setup/mailbox/test"' in text
    return csrf_token_in(text)


def _typed(account: ImapAccount, **changes: str) -> dict[str, str]:
    return {"name": "tuki", "host": account.host, "port": str(account.port),
            "security": "none", "user": account.user, "password": account.password,
            "folder": "INBOX", **changes}


async def test_the_mailbox_step_tests_then_saves_and_moves_on(
    first_boot: TestClient, config_file: Path, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await _first_admin(first_boot)
    before = file_bytes(config_file)
    tested = await first_boot.post("/setup/mailbox/test",
                                   data={"csrf_token": token, **_typed(imap_account)})
    text = await tested.text()
    assert tested.status == 200
    assert "Connection works:" in text and f"as {imap_account.user!r}".replace(
        "'", "&#39;") in text
    assert f'value="{imap_account.password}"' in text  # typed: kept for "Save and continue"
    assert file_bytes(config_file) == before
    saved = await first_boot.post("/setup/mailbox", allow_redirects=False,
                                  data={"csrf_token": token, **_typed(imap_account)})
    assert (saved.status, saved.headers["Location"]) == (303, "/setup/agents?saved=mailbox")
    boxes = tomllib.loads(file_text(config_file))["mail"]["mailboxes"]
    assert [(b["name"], b["host"], b["port"], b["user"]) for b in boxes] == [
        ("tuki", imap_account.host, imap_account.port, imap_account.user)]
    assert mode_of(config_file.parent / password_file_name("tuki")) == 0o600
    assert load_config(config_file).mail.mailboxes[0].password == imap_account.password
    agents = await (await first_boot.get("/setup/agents?saved=mailbox")).text()
    assert "The mailbox was saved" in agents
    again = await (await first_boot.get("/setup/mailbox")).text()
    assert "Already configured:" in again and "tuki" in again
    assert "Skip: no mailbox now" not in again  # there is one: the step goes on with Next


async def test_a_refused_mailbox_stays_on_the_step_with_what_was_typed(
    first_boot: TestClient, config_file: Path, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await _first_admin(first_boot)
    before = file_bytes(config_file)
    refused = await first_boot.post("/setup/mailbox", data={
        "csrf_token": token, **_typed(imap_account, port="0", user="tuki<i>")})
    text = await refused.text()
    assert refused.status == 400
    assert "Port: must be at least 1" in text and "mail.mailboxes[0]" not in text
    assert 'value="tuki&lt;i&gt;"' in text and f'value="{imap_account.password}"' in text
    assert file_bytes(config_file) == before
    assert file_names(config_file.parent) == ["aspa.toml"]


async def test_skip_is_explicit_and_moves_on(first_boot: TestClient,
                                             config_file: Path) -> None:  # noqa: F811
    await _first_admin(first_boot)
    before = file_bytes(config_file)
    step = await (await first_boot.get("/setup/mailbox")).text()
    assert 'href="/setup/agents?skipped=mailbox"' in step
    assert "Skip: no mailbox now" in step
    assert ">Next</a>" not in step  # no silent "Next" past an empty step
    agents = await first_boot.get("/setup/agents?skipped=mailbox")
    assert agents.status == 200
    assert "No mailbox was set up: add one later under Mailboxes." in await agents.text()
    assert file_bytes(config_file) == before


async def test_the_step_speaks_finnish(first_boot: TestClient) -> None:
    token = await _first_admin(first_boot)
    chosen = await first_boot.post("/language", data={
        "csrf_token": token, "language": "fi", "next": "/setup/mailbox"})
    text = await chosen.text()
    assert chosen.status == 200 and '<html lang="fi">' in text
    assert "Ohita: ei postilaatikkoa nyt" in text and "Kokeile yhteyttä" in text
    assert "Tallenna ja jatka" in text and "IMAP-palvelin" in text
