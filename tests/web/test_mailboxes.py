"""Admin → Mailboxes: add, change, remove in aspa.toml; the password only in a 0600 file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.cli import main
from appliance.config.aspa_toml import load_config
from appliance.store.accounts import Accounts
from appliance.store.models import MailboxState
from appliance.store.worker import StoreWorker
from appliance.web.mailboxes.mailbox_config import password_file_name
from tests.web.conftest import csrf_token_in, log_in
from tests.web.mailbox_config_files import (  # noqa: F401 (fixtures)
    append_text,
    config_file,
    edit_client,
    file_bytes,
    file_names,
    file_text,
    mode_of,
)

PASSWORD = "Salainen-Kissa-77"
TYPED = {"name": "tuki", "host": "imap.example.fi", "port": "993", "security": "tls",
         "user": "tuki@example.fi", "password": PASSWORD, "folder": "INBOX",
         "move_to": "Käsitelty", "acknowledge": "on"}


def _mailboxes(path: Path) -> list[dict[str, object]]:
    boxes: list[dict[str, object]] = tomllib.loads(file_text(path)).get(
        "mail", {}).get("mailboxes", [])
    return boxes


async def _add(client: TestClient, token: str, **changes: str) -> str:
    response = await client.post("/admin/mailboxes", data={"csrf_token": token,
                                                           **TYPED, **changes},
                                 allow_redirects=False)
    text = await response.text()
    assert response.status == 303, text
    assert response.headers["Location"] == "/admin/mailboxes?saved=1"
    return text


async def test_a_new_mailbox_is_saved_with_its_password_in_a_private_file(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    bodies = [await _add(edit_client, token)]
    text = file_text(config_file)
    assert "# Installed by the image; edit with care." in text
    assert "# the office's provider" in text
    file_name = password_file_name("tuki")
    assert _mailboxes(config_file) == [{
        "name": "tuki", "host": "imap.example.fi", "port": 993, "security": "tls",
        "user": "tuki@example.fi", "folder": "INBOX", "mark": "move:Käsitelty",
        "acknowledge": True, "password_file": file_name}]
    secret = config_file.parent / file_name
    assert file_text(secret) == PASSWORD + "\n"
    assert mode_of(secret) == 0o600
    assert mode_of(config_file) == 0o640
    assert PASSWORD not in text
    assert file_names(config_file.parent) == ["aspa.toml", file_name]
    assert load_config(config_file).mail.mailboxes[0].password == PASSWORD
    assert main(["config", "check", str(config_file)]) == 0
    page = await edit_client.get("/admin/mailboxes?saved=1")
    bodies.append(await page.text())
    assert "restart Aspa to apply" in bodies[-1]
    assert 'value="imap.example.fi"' in bodies[-1] and 'value="Käsitelty"' in bodies[-1]
    assert "set: leave empty to keep it" in bodies[-1]
    api = await edit_client.get("/api/admin/mailboxes")
    bodies.append(await api.text())
    listed = (await api.json())["mailboxes"]
    assert [(m["name"], m["password_set"], m["running"]) for m in listed] == [
        ("tuki", True, False)]
    for body in bodies:
        assert PASSWORD not in body


async def test_a_bad_port_is_refused_with_the_typed_values_and_the_file_untouched(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    response = await edit_client.post("/admin/mailboxes", data={
        "csrf_token": token, **TYPED, "port": "99999", "host": 'imap.<b>"x"</b>.fi'})
    text = await response.text()
    assert response.status == 400
    assert "Port: must be at most 65535" in text  # the field's label, not the key path
    assert "mail.mailboxes[0]" not in text
    assert 'value="99999"' in text
    assert 'value="imap.&lt;b&gt;&#34;x&#34;&lt;/b&gt;.fi"' in text  # shown back, escaped
    assert "<b>" not in text
    assert 'value="Käsitelty"' in text
    assert f'value="{PASSWORD}"' in text  # typed: shown back in this answer, not typed again
    assert file_bytes(config_file) == before
    assert file_names(config_file.parent) == ["aspa.toml"]  # no password file
    api = await edit_client.post("/api/admin/mailboxes", json={**TYPED, "port": "neljä"},
                                 headers={"X-CSRF-Token": token})
    assert api.status == 400
    assert (await api.json())["problems"] == [
        "mail.mailboxes[0].port: must be an integer, not str 'neljä'"]
    assert file_bytes(config_file) == before


async def test_a_name_in_use_and_a_missing_password_are_refused(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    await _add(edit_client, token)
    before = file_bytes(config_file)
    again = await edit_client.post("/api/admin/mailboxes", json=TYPED,
                                   headers={"X-CSRF-Token": token})
    assert (await again.json())["problems"] == [
        "mail.mailboxes[1].name: 'tuki' is already used by mail.mailboxes[0]"]
    bare = await edit_client.post("/api/admin/mailboxes", json={**TYPED, "name": "myynti",
                                                                 "password": ""},
                                  headers={"X-CSRF-Token": token})
    assert (await bare.json())["problems"] == [
        "mail.mailboxes[1].password: required for a new mailbox"]
    assert file_bytes(config_file) == before


async def test_a_change_keeps_the_password_unless_a_new_one_is_typed(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    append_text(config_file, """
[[mail.mailboxes]]
name = "tuki"  # the shared support address
host = "imap.example.fi"
user = "tuki@example.fi"
password = "vanha-salasana"
poll_seconds = 30.0
""")
    token = await log_in(edit_client)
    kept = await edit_client.post("/admin/mailboxes/1", data={
        "csrf_token": token, **TYPED, "password": "", "folder": "Tuki", "move_to": ""},
        allow_redirects=False)
    assert kept.status == 303, await kept.text()
    box = _mailboxes(config_file)[0]
    assert (box["password"], box["folder"], box["mark"], box["poll_seconds"]) == (
        "vanha-salasana", "Tuki", "seen", 30.0)
    assert "# the shared support address" in file_text(config_file)
    changed = await edit_client.post("/admin/mailboxes/1", data={
        "csrf_token": token, **TYPED}, allow_redirects=False)
    assert changed.status == 303
    box = _mailboxes(config_file)[0]
    assert "password" not in box and box["password_file"] == password_file_name("tuki")
    assert load_config(config_file).mail.mailboxes[0].password == PASSWORD
    assert mode_of(config_file.parent / password_file_name("tuki")) == 0o600
    page = await edit_client.get("/admin/mailboxes")
    assert "vanha-salasana" not in await page.text() and PASSWORD not in await page.text()
    missing = await edit_client.post("/admin/mailboxes/7", data={"csrf_token": token, **TYPED})
    assert missing.status == 404


async def test_a_bad_change_shows_the_typed_values_in_that_mailboxs_form(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    await _add(edit_client, token)
    before = file_bytes(config_file)
    response = await edit_client.post("/admin/mailboxes/1", data={
        "csrf_token": token, **TYPED, "security": "ssl3", "password": "uusi-salasana"})
    text = await response.text()
    assert response.status == 400
    assert "Security: must be one of" in text
    assert '<option value="ssl3" selected>' in text
    assert 'value="uusi-salasana"' in text  # typed: shown back in this answer only
    assert "uusi-salasana" not in await (await edit_client.get("/admin/mailboxes")).text()
    assert file_bytes(config_file) == before
    secret = config_file.parent / password_file_name("tuki")
    assert file_text(secret) == PASSWORD + "\n"  # the old one stays


async def test_removing_a_mailbox_drops_its_password_file(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    await _add(edit_client, token)
    await _add(edit_client, token, name="myynti", user="myynti@example.fi")
    unconfirmed = await edit_client.post("/admin/mailboxes/1/remove",
                                         data={"csrf_token": token})
    assert unconfirmed.status == 400
    assert len(_mailboxes(config_file)) == 2
    removed = await edit_client.post("/admin/mailboxes/1/remove", allow_redirects=False,
                                     data={"csrf_token": token, "confirm": "on"})
    assert removed.status == 303
    assert [b["name"] for b in _mailboxes(config_file)] == ["myynti"]
    assert file_names(config_file.parent) == [
        "aspa.toml", password_file_name("myynti")]
    assert main(["config", "check", str(config_file)]) == 0
    last = await edit_client.post("/api/admin/mailboxes/1/remove", json={"confirm": True},
                                  headers={"X-CSRF-Token": token})
    assert await last.json() == {"ok": True, "restart_needed": True}
    assert "mailboxes" not in file_text(config_file)  # no stray empty list left behind
    assert file_names(config_file.parent) == ["aspa.toml"]
    assert main(["config", "check", str(config_file)]) == 0


async def test_the_page_shows_the_intakes_last_fetch_and_last_error(
    edit_client: TestClient, config_file: Path, store: StoreWorker  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    await _add(edit_client, token)

    def record() -> None:
        MailboxState.create(mailbox="tuki", last_error="IMAP server imap.example.fi:993 "
                                                       "refused the login of <tuki>")
    await store.call(record)
    text = await (await edit_client.get("/admin/mailboxes")).text()
    assert "refused the login of &lt;tuki&gt;" in text
    assert "Last fetch" in text


async def test_a_post_without_the_csrf_token_is_forbidden(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    before = file_bytes(config_file)
    await log_in(edit_client)
    for path in ("/admin/mailboxes", "/admin/mailboxes/test", "/setup/mailbox"):
        response = await edit_client.post(path, data=TYPED)
        assert response.status == 403, path
    assert file_bytes(config_file) == before


async def test_an_agent_may_not_see_or_change_mailboxes(
    edit_client: TestClient, config_file: Path, store: StoreWorker,  # noqa: F811
    accounts: Accounts
) -> None:
    before = file_bytes(config_file)
    await store.call(accounts.add_user, "Agent Anna", "anna", "agent", "anna-salasana-1")
    token = await log_in(edit_client, "anna", "anna-salasana-1")
    for path in ("/admin/mailboxes", "/api/admin/mailboxes"):
        assert (await edit_client.get(path)).status == 403, path
    for path in ("/admin/mailboxes", "/admin/mailboxes/test", "/setup/mailbox",
                 "/setup/mailbox/test"):
        response = await edit_client.post(path, data={"csrf_token": token, **TYPED})
        assert response.status == 403, path
    assert file_bytes(config_file) == before
    page = await (await edit_client.get("/")).text()
    assert "/admin/mailboxes" not in page


async def test_a_box_without_a_config_file_is_read_only(client: TestClient) -> None:
    token = await log_in(client)
    page = await client.get("/admin/mailboxes")
    text = await page.text()
    assert page.status == 200
    assert "Settings are read-only here" in text
    assert 'action="/admin/mailboxes"' not in text
    for path in ("/admin/mailboxes", "/admin/mailboxes/test", "/admin/mailboxes/1",
                 "/admin/mailboxes/1/remove", "/setup/mailbox"):
        response = await client.post(path, data={"csrf_token": token, **TYPED})
        assert response.status == 409, path
        assert "read-only" in await response.text()
    setup = await (await client.get("/setup/mailbox")).text()
    assert "Settings are read-only here" in setup and 'action="/setup/mailbox"' not in setup


async def test_the_page_is_in_finnish_for_a_finnish_admin(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    token = await log_in(edit_client)
    await edit_client.post("/language", data={"csrf_token": token, "language": "fi",
                                              "next": "/admin/mailboxes"})
    text = await (await edit_client.get("/admin/mailboxes")).text()
    assert "Lisää postilaatikko" in text and "Kokeile yhteyttä" in text
    assert csrf_token_in(text) == token
