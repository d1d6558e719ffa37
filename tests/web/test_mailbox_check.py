""""Test connection" against the real Dovecot: it logs in, opens the folder, and saves nothing."""

from __future__ import annotations

import socket
import time
import tomllib
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from appliance.config.sections.mail import MailboxSettings
from appliance.mail.connection_check import MailboxCheckTimedOut, async_check_mailbox
from appliance.mail.errors import ImapError
from tests.peers.dovecot import ImapAccount
from tests.peers.free_port import LOOPBACK, free_port
from tests.web.conftest import log_in
from tests.web.mailbox_config_files import (  # noqa: F401 (fixtures)
    config_file,
    edit_client,
    file_bytes,
    file_names,
)


def _typed(account: ImapAccount, **changes: str) -> dict[str, str]:
    fields = {"name": "tuki", "host": account.host, "port": str(account.port),
              "security": "none", "user": account.user, "password": account.password,
              "folder": "INBOX"}
    fields.update(changes)
    return fields


async def _test(client: TestClient, token: str, fields: dict[str, str],
                path: str = "/api/admin/mailboxes/test") -> dict[str, object]:
    response = await client.post(path, json=fields, headers={"X-CSRF-Token": token})
    assert response.status == 200, await response.text()
    outcome: dict[str, object] = await response.json()
    return outcome


async def test_the_right_settings_log_in_and_open_the_folder(
    edit_client: TestClient, config_file: Path, imap_account: ImapAccount  # noqa: F811
) -> None:
    before = file_bytes(config_file)
    imap_account.append(b"Subject: hello\r\n\r\nfirst\r\n")
    token = await log_in(edit_client)
    outcome = await _test(edit_client, token, _typed(imap_account))
    assert outcome["ok"] is True
    assert "holds 1 message(s)" in str(outcome["detail"])
    # the form answers with the page: the outcome and the typed values, the password too
    page = await edit_client.post("/admin/mailboxes/test",
                                  data={"csrf_token": token, **_typed(imap_account)})
    text = await page.text()
    assert page.status == 200
    assert "Connection works:" in text and "Nothing was saved." in text
    assert f'value="{imap_account.user}"' in text
    assert f'value="{imap_account.password}"' in text
    assert imap_account.password not in await (await edit_client.get("/admin/mailboxes")).text()
    assert file_bytes(config_file) == before
    assert file_names(config_file.parent) == ["aspa.toml"]
    # SELECT left the mail as it was
    assert [m.flags for m in imap_account.fetch_all()] == [()]


async def test_a_wrong_password_is_told_in_the_servers_words(
    edit_client: TestClient, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    outcome = await _test(edit_client, token, _typed(imap_account, password="väärä-salasana"))
    assert outcome["ok"] is False
    detail = str(outcome["detail"])
    assert f"refused the login of {imap_account.user!r}" in detail
    assert "AUTHENTICATIONFAILED" in detail  # Dovecot's own response code (RFC 5530)
    page = await edit_client.post("/admin/mailboxes/test", data={
        "csrf_token": token, **_typed(imap_account, password="väärä-salasana")})
    text = await page.text()
    assert "Connection failed:" in text and 'value="väärä-salasana"' in text


async def test_a_missing_folder_is_named(
    edit_client: TestClient, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    outcome = await _test(edit_client, token, _typed(imap_account, folder="Tuki/Saapuneet"))
    assert outcome["ok"] is False
    detail = str(outcome["detail"])
    assert detail.startswith("cannot open folder 'Tuki/Saapuneet': ")
    assert "Mailbox doesn't exist: Tuki/Saapuneet" in detail  # Dovecot's words


async def test_a_closed_port_says_connection_refused(
    edit_client: TestClient, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    port = free_port()
    outcome = await _test(edit_client, token, _typed(imap_account, port=str(port)))
    assert outcome["ok"] is False
    assert f"cannot connect to IMAP server {LOOPBACK}:{port}" in str(outcome["detail"])
    assert "Connection refused" in str(outcome["detail"])


async def test_tls_against_a_plain_server_is_a_tls_failure(
    edit_client: TestClient, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    outcome = await _test(edit_client, token, _typed(imap_account, security="tls"))
    assert outcome["ok"] is False
    assert "SSL" in str(outcome["detail"])


async def test_bad_settings_are_named_before_any_connection(
    edit_client: TestClient, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    outcome = await _test(edit_client, token, _typed(imap_account, port="99999", host=""))
    assert outcome["ok"] is False
    assert "mailbox.port: must be at most 65535" in str(outcome["detail"])
    assert "mailbox.host: required" in str(outcome["detail"])


async def test_a_saved_mailbox_is_tested_with_its_stored_password(
    edit_client: TestClient, config_file: Path, imap_account: ImapAccount  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    saved = await edit_client.post("/api/admin/mailboxes", json=_typed(imap_account),
                                   headers={"X-CSRF-Token": token})
    assert saved.status == 200, await saved.text()
    before = file_bytes(config_file)
    stored = await _test(edit_client, token, _typed(imap_account, password=""),
                         path="/api/admin/mailboxes/1/test")
    assert stored["ok"] is True, stored
    typed = await _test(edit_client, token, _typed(imap_account, password="toinen"),
                        path="/api/admin/mailboxes/1/test")
    assert typed["ok"] is False  # the typed one wins over the stored one
    assert file_bytes(config_file) == before
    assert tomllib.loads(before.decode())["mail"]["mailboxes"][0]["user"] == imap_account.user


async def test_a_server_that_never_answers_is_given_up_in_bounded_time() -> None:
    with socket.socket() as silent:  # accepts (the kernel's backlog) and never greets
        silent.bind((LOOPBACK, 0))
        silent.listen()
        port = silent.getsockname()[1]
        settings = MailboxSettings(name="tuki", host=LOOPBACK, port=port, security="none",
                                   user="tuki")
        started = time.monotonic()
        with pytest.raises(ImapError, match=f"cannot connect to IMAP server {LOOPBACK}:{port}: "
                                            "timed out"):
            await async_check_mailbox(settings, "x", timeout_s=0.3)
        assert time.monotonic() - started < 2.0
        started = time.monotonic()
        with pytest.raises(MailboxCheckTimedOut, match=r"did not answer within 0\.1 s"):
            await async_check_mailbox(settings, "x", timeout_s=0.5, deadline_s=0.1)
        assert time.monotonic() - started < 0.4
