"""Refused forms name the field by its label, in the person's language, never by key path."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.web.frame.i18n import translator
from appliance.web.frame.problem_text import problem_text
from tests.web.conftest import csrf_token_in, log_in
from tests.web.mailbox_config_files import (  # noqa: F401 (fixtures)
    config_file,
    edit_client,
    file_bytes,
)

FI, EN = translator("fi"), translator("en")


def test_a_key_path_becomes_the_fields_label_in_either_language() -> None:
    problem = "mail.mailboxes[0].password: required for a new mailbox"
    assert problem_text(problem, EN) == "Password: required for a new mailbox"
    assert problem_text(problem, FI) == "Salasana: pakollinen uudelle postilaatikolle"
    assert problem_text("mail.mailboxes[3].port: must be at most 65535, not 99999", FI) == (
        "Portti: saa olla enintään 65535")
    assert problem_text("ring_groups[1].strategy: must be one of ring_all, linear, not "
                        "'shout'", FI).startswith("Soittotapa: pitää olla jokin näistä: ")


def test_a_key_without_a_form_field_keeps_its_path_and_unknown_words_stay() -> None:
    assert problem_text("web.port: must be at most 65535, not 0", FI) == (
        "web.port: must be at most 65535, not 0")
    assert problem_text("mail.smtp.host: cannot resolve", EN) == "SMTP server: cannot resolve"
    assert problem_text("no key here", FI) == "no key here"


async def test_save_and_continue_without_a_password_names_the_field_in_finnish(
    edit_client: TestClient, config_file: Path  # noqa: F811
) -> None:
    before = file_bytes(config_file)
    token = await log_in(edit_client)
    await edit_client.post("/language", data={"csrf_token": token, "language": "fi"})
    token = csrf_token_in(await (await edit_client.get("/setup/mailbox")).text())
    response = await edit_client.post("/setup/mailbox", data={
        "csrf_token": token, "name": "tuki", "host": "imap.example.fi", "port": "993",
        "security": "tls", "user": "tuki@example.fi", "password": ""})
    text = await response.text()
    assert response.status == 400
    assert "<li>Salasana: pakollinen uudelle postilaatikolle</li>" in text
    assert "mail.mailboxes[0]" not in text
    assert 'value="imap.example.fi"' in text and 'value="tuki@example.fi"' in text
    assert file_bytes(config_file) == before
