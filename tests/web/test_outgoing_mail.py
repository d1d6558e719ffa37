"""Admin → Mailboxes → Outgoing mail: a test mail through a real SMTP server (aiosmtpd),
the server's own words shown, the typed values kept, and replies sent through what was saved."""

from __future__ import annotations

import tomllib
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.config.aspa_toml import load_config
from appliance.mail.outbox_sender import OutboxSender
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.tickets import TicketBook
from appliance.web.mailboxes.outgoing_config import PASSWORD_FILE
from tests.peers.smtp import SmtpFactory
from tests.web.conftest import csrf_token_in, log_in, open_sample_ticket
from tests.web.mailbox_config_files import (  # noqa: F401 (fixtures)
    config_file,
    edit_client,
    file_bytes,
    file_text,
    make_config,
    mode_of,
)

LOGIN, PASSWORD = "tuki@example.fi", "Posti-Salasana-9"


def _typed(server_port: int, **changes: str) -> dict[str, str]:
    return {"host": "127.0.0.1", "port": str(server_port), "security": "none",
            "user": LOGIN, "password": PASSWORD, "from_name": "Tuki – Support",
            "from_address": "tuki@example.fi", "test_to": "installer@example.fi", **changes}


async def _post(client: TestClient, path: str, data: dict[str, str]) -> tuple[int, str]:
    token = await log_in(client)
    response = await client.post(path, data={"csrf_token": token, **data},
                                 allow_redirects=False)
    return response.status, await response.text()


def _smtp_table(path: Path) -> dict[str, object]:
    table: dict[str, object] = tomllib.loads(file_text(path))["mail"]["smtp"]
    return table


async def test_a_test_mail_reaches_the_server_and_its_answer_is_shown_nothing_saved(
    edit_client: TestClient, config_file: Path, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server(LOGIN, PASSWORD)
    before = file_bytes(config_file)
    status, page = await _post(edit_client, "/admin/outgoing-mail/test", _typed(server.port))
    assert status == 200, page
    received = server.wait_for_messages(1)[0]
    assert received.login == LOGIN
    assert received.rcpt_tos == ("installer@example.fi",)
    mail = received.parsed()
    assert mail["From"] == "Tuki – Support <tuki@example.fi>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "Test mail sent:" in page
    assert "250 2.0.0 Message accepted" in page  # the server's own words
    assert "Nothing was saved." in page
    assert file_bytes(config_file) == before


async def test_a_refused_login_shows_the_servers_words_and_keeps_every_typed_value(
    edit_client: TestClient, config_file: Path, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server(LOGIN, "the-right-one")
    before = file_bytes(config_file)
    status, page = await _post(edit_client, "/admin/outgoing-mail/test", _typed(server.port))
    assert status == 200
    assert "Test mail failed:" in page
    assert "refused the login: 535 5.7.8 Authentication credentials invalid" in page
    assert server.messages == []
    # what was typed is all there again, the password too (in this answer only)
    for value in ("127.0.0.1", str(server.port), LOGIN, PASSWORD, "Tuki – Support",
                  "installer@example.fi"):
        assert f'value="{value}"' in page, value
    assert file_bytes(config_file) == before
    again = await edit_client.get("/admin/mailboxes")
    assert PASSWORD not in await again.text()


async def test_a_refused_recipient_shows_the_servers_words(
    edit_client: TestClient, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server()
    server.refuse(550, "5.1.1 No such user here", stage="RCPT")
    _, page = await _post(edit_client, "/admin/outgoing-mail/test",
                          _typed(server.port, user="", password=""))
    assert "refused the recipient: 550 5.1.1 No such user here" in page


async def test_the_finnish_page_names_the_outcome_in_finnish(
    edit_client: TestClient, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server(LOGIN, "the-right-one")
    token = await log_in(edit_client)
    await edit_client.post("/language", data={"csrf_token": token, "language": "fi"})
    page = await edit_client.get("/admin/mailboxes")
    token = csrf_token_in(await page.text())
    response = await edit_client.post("/admin/outgoing-mail/test",
                                      data={"csrf_token": token, **_typed(server.port)})
    text = await response.text()
    assert "Testiviestin lähetys epäonnistui:" in text
    assert "Lähtevä posti" in text


async def test_saved_settings_are_used_for_the_next_reply_without_a_restart(
    edit_client: TestClient, config_file: Path, make_smtp_server: SmtpFactory,  # noqa: F811
    tickets: TicketBook, clock: ManualClock, bus: EventBus
) -> None:
    server = make_smtp_server(LOGIN, PASSWORD)
    status, _ = await _post(edit_client, "/admin/outgoing-mail", _typed(server.port))
    assert status == 303
    table = _smtp_table(config_file)
    assert table["host"] == "127.0.0.1" and table["port"] == server.port
    assert table["from_name"] == "Tuki – Support" and table["password_file"] == PASSWORD_FILE
    secret = config_file.parent / PASSWORD_FILE
    assert file_text(secret) == PASSWORD + "\n" and mode_of(secret) == 0o600
    assert PASSWORD not in file_text(config_file)
    saved = load_config(config_file).mail.smtp
    assert saved.password == PASSWORD and saved.security == "none"
    page = await edit_client.get("/admin/mailboxes?saved=outgoing")
    assert "Outgoing mail saved: replies go out through it now." in await page.text()

    number = await open_sample_ticket(tickets)
    token = csrf_token_in(await (await edit_client.get(f"/tickets/{number}")).text())
    response = await edit_client.post(f"/tickets/{number}/reply", data={
        "csrf_token": token, "channel": "email", "body": "Tulostin on korjattu."},
        allow_redirects=False)
    assert response.status == 303
    sender = OutboxSender(saved, bus.publish, clock)
    assert await sender.send_due() == 1
    mail = server.wait_for_messages(1)[0]
    assert mail.login == LOGIN and mail.rcpt_tos == ("maija@example.fi",)
    assert mail.parsed()["From"] == "Admin Example via Tuki – Support <tuki@example.fi>"


async def test_the_outgoing_server_can_share_a_mailboxs_host_and_login(
    edit_client: TestClient, config_file: Path, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server(LOGIN, PASSWORD)
    token = await log_in(edit_client)
    added = await edit_client.post("/admin/mailboxes", data={
        "csrf_token": token, "name": "tuki", "host": "127.0.0.1", "port": "993",
        "security": "tls", "user": LOGIN, "password": PASSWORD}, allow_redirects=False)
    assert added.status == 303
    page = await edit_client.get("/admin/mailboxes")
    assert "the same as mailbox tuki" in await page.text()
    shared = _typed(server.port, from_mailbox="tuki", host="", user="", password="")
    response = await edit_client.post("/admin/outgoing-mail/test",
                                      data={"csrf_token": token, **shared})
    assert "Test mail sent:" in await response.text()
    assert server.wait_for_messages(1)[0].login == LOGIN
    response = await edit_client.post("/admin/outgoing-mail", data={"csrf_token": token,
                                                                    **shared},
                                      allow_redirects=False)
    assert response.status == 303
    table = _smtp_table(config_file)
    assert table["from_mailbox"] == "tuki" and "host" not in table and "user" not in table
    smtp = load_config(config_file).mail.smtp
    assert (smtp.host, smtp.user, smtp.password, smtp.port) == (
        "127.0.0.1", LOGIN, PASSWORD, server.port)


async def test_a_refused_save_names_the_problem_and_changes_no_file(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    before = file_bytes(config_file)
    for data in (_typed(2525, from_address="not an address"), _typed(2525, port="seven"),
                 _typed(2525, security="<script>"), _typed(2525, from_mailbox="no-such")):
        status, page = await _post(edit_client, "/admin/outgoing-mail", data)
        assert status == 400, data
        assert "The change was not saved:" in page
        assert "<script>" not in page
        assert f'value="{PASSWORD}"' in page  # typed, so shown back in this answer
        assert file_bytes(config_file) == before
    status, page = await _post(edit_client, "/admin/outgoing-mail", {"host": "x" * 300})
    assert status == 400 and file_bytes(config_file) == before


async def test_the_setup_wizard_sends_a_test_mail_and_saves_the_server(
    edit_client: TestClient, config_file: Path, make_smtp_server: SmtpFactory  # noqa: F811
) -> None:
    server = make_smtp_server(LOGIN, PASSWORD)
    token = await log_in(edit_client)
    step = await edit_client.get("/setup/mailbox")
    assert 'action="/setup/outgoing-mail"' in await step.text()
    response = await edit_client.post("/setup/outgoing-mail/test",
                                      data={"csrf_token": token, **_typed(server.port)})
    page = await response.text()
    assert response.status == 200 and "250 2.0.0 Message accepted" in page
    assert f'value="{PASSWORD}"' in page
    response = await edit_client.post("/setup/outgoing-mail",
                                      data={"csrf_token": token, **_typed(server.port)},
                                      allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/setup/mailbox?saved=outgoing#outgoing"
    assert load_config(config_file).mail.smtp.from_address == "tuki@example.fi"


async def test_sending_is_switched_off_by_emptying_server_and_sender(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    off = {"host": "", "port": "587", "security": "starttls", "user": "", "password": "",
           "from_name": "", "from_address": ""}
    status, _ = await _post(edit_client, "/admin/outgoing-mail", off)
    assert status == 303
    smtp = load_config(config_file).mail.smtp
    assert (smtp.host, smtp.from_address) == ("", "")
    page = await (await edit_client.get("/admin/mailboxes")).text()
    assert "(not set: replies are only stored)" in page
    _, tested = await _post(edit_client, "/admin/outgoing-mail/test", off)
    assert "Test mail failed: SMTP server: required" in tested
