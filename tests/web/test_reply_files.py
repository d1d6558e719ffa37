"""Replies by mail with files and copies through the real page and a real SMTP server
(aiosmtpd); refused files and addresses send nothing, store nothing and keep the text."""

from __future__ import annotations

import email.policy
from email import message_from_bytes

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from appliance.config.sections.mail import SmtpSettings
from appliance.mail.outbox_sender import OutboxSender
from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.models import Attachment, Message
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.web.frame.store_backend import StoreWebBackend
from tests.peers.smtp import SmtpServer
from tests.web.conftest import log_in, open_sample_ticket

TYPED = "Liitteenä korjattu lasku.\n\nTerveisin tuki"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def _form(token: str, body: str = TYPED, cc: str = "", files: tuple[tuple[str, bytes,
          str], ...] = ()) -> FormData:
    form = FormData(quote_fields=False)  # as a browser sends names
    form.add_field("csrf_token", token)
    form.add_field("channel", "email")
    form.add_field("body", body)
    form.add_field("cc", cc)
    for name, data, content_type in files:
        form.add_field("files", data, filename=name, content_type=content_type)
    return form


async def _outgoing(store: StoreWorker) -> int:
    return await store.call(lambda: Message.select().where(Message.direction == "out").count())


def _use_smtp(backend: StoreWebBackend, server: SmtpServer, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = dict(host=server.host, port=server.port, security="none",
                                     from_address="tuki@example.fi", from_name="Tuki",
                                     domain="example.fi")
    values.update(overrides)
    settings = SmtpSettings(**values)  # type: ignore[arg-type]
    assert backend.mail is not None
    backend.mail.use_smtp(settings)
    return settings


async def test_a_reply_with_a_file_and_a_copy_reaches_the_server(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, store: StoreWorker,
    smtp_server: SmtpServer, clock: ManualClock, bus: EventBus
) -> None:
    settings = _use_smtp(backend, smtp_server)
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    response = await client.post(f"/tickets/{number}/reply", data=_form(
        token, cc="Pekka <pekka@example.org>; liisa@example.com",
        files=(("lasku 12.pdf", PDF, "application/pdf"),)), allow_redirects=False)
    assert response.status == 303
    assert await OutboxSender(settings, bus.publish, clock).send_due() == 1
    (received,) = smtp_server.wait_for_messages(1)
    assert set(received.rcpt_tos) == {"maija@example.fi", "pekka@example.org",
                                      "liisa@example.com"}
    mail = message_from_bytes(received.raw, policy=email.policy.default)
    assert mail["Cc"] == "pekka@example.org, liisa@example.com"
    assert mail["From"] == "Admin Example via Tuki <tuki@example.fi>"
    [file] = list(mail.iter_attachments())
    assert file.get_filename() == "lasku 12.pdf" and file.get_content() == PDF
    stored = await store.call(lambda: [(a.filename, a.size) for a in Attachment.select()])
    assert stored == [("lasku 12.pdf", len(PDF))]
    page = await (await client.get(f"/tickets/{number}")).text()
    assert "lasku 12.pdf" in page  # shown on the ticket's message, like a customer's file


async def test_refused_files_keep_the_typed_text_and_say_why(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, store: StoreWorker,
    smtp_server: SmtpServer
) -> None:
    _use_smtp(backend, smtp_server, attachment_max_mb=0.1, attachments_max_mb=0.15)
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    cases = [
        (("ohjelma.exe", b"MZ\x90\x00" + b"\x00" * 100, "application/octet-stream"),
         "ohjelma.exe: files that run programs or scripts"),
        (("kuva.jpg", b"MZ\x90\x00" + b"\x00" * 100, "image/jpeg"),
         "kuva.jpg: files that run programs or scripts"),  # a program by its first bytes
        (("lasku.pdf\u202egpj.js", b"alert(1)", "image/jpeg"),
         "lasku.pdfgpj.js: files that run programs"),  # the override taken out, then refused
        (("iso.pdf", b"x" * 200_000, "application/pdf"),
         "iso.pdf is too large: one file may be at most 0.1 MB."),
    ]
    for file, reason in cases:
        response = await client.post(f"/tickets/{number}/reply", data=_form(
            token, cc="pekka@example.org", files=(file,)))
        page = await response.text()
        assert response.status == 400, file[0]
        assert "The reply was not sent:" in page and reason in page, page[-3000:]
        assert "Liitteenä korjattu lasku." in page and 'value="pekka@example.org"' in page
        assert "Choose the files again." in page
    assert await _outgoing(store) == 0
    assert smtp_server.messages == []


async def test_the_total_cap_and_hostile_names(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, store: StoreWorker,
    smtp_server: SmtpServer, clock: ManualClock, bus: EventBus
) -> None:
    settings = _use_smtp(backend, smtp_server, attachment_max_mb=1, attachments_max_mb=1)
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    half = b"%PDF" + b"x" * 600_000
    over = await client.post(f"/tickets/{number}/reply", data=_form(
        token, files=(("a.pdf", half, "application/pdf"), ("b.pdf", half, "application/pdf"))))
    assert over.status == 400
    assert "The files are too large together: one reply may carry at most 1 MB" in await over.text()
    hostile = "../../etc/\u2066pass\u202ewd" + "ä" * 300 + ".txt"
    sent = await client.post(f"/tickets/{number}/reply", data=_form(
        token, files=((hostile, b"hello", "text/plain"),)), allow_redirects=False)
    assert sent.status == 303
    assert await OutboxSender(settings, bus.publish, clock).send_due() == 1
    mail = message_from_bytes(smtp_server.wait_for_messages(1)[0].raw,
                              policy=email.policy.default)
    [file] = list(mail.iter_attachments())
    name = file.get_filename()
    assert name.startswith("passwdää") and name.endswith(".txt") and len(name) <= 120
    assert "/" not in name and "\u202e" not in name and "\u2066" not in name


async def test_wrong_copy_addresses_are_each_named(
    client: TestClient, tickets: TicketBook, store: StoreWorker
) -> None:
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    response = await client.post(f"/tickets/{number}/reply", data=_form(
        token, cc="ok@example.fi, pekka@, <b>x</b>, liisa at example.com"))
    page = await response.text()
    assert response.status == 400
    assert "Not an email address in CC: pekka@, &lt;b&gt;x&lt;/b&gt;, liisa at example.com" in page
    assert "<b>x</b>" not in page
    await client.post("/language", data={"csrf_token": token, "language": "fi"})
    finnish = await (await client.post(f"/tickets/{number}/reply", data=_form(
        token, cc="pekka@"))).text()
    assert "Vastausta ei lähetetty:" in finnish
    assert "Kopio-kentän virheelliset osoitteet: pekka@" in finnish
    assert await _outgoing(store) == 0


async def test_reply_to_all_offers_the_other_recipients_without_the_box(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, smtp_server: SmtpServer,
    store: StoreWorker
) -> None:
    _use_smtp(backend, smtp_server)
    number = await open_sample_ticket(tickets)
    await store.call(lambda: Message.update(
        recipients="tuki@example.fi, Pekka <pekka@example.org>, maija@example.fi, "
                   "liisa@example.com").execute())
    await log_in(client)
    page = await (await client.get(f"/tickets/{number}")).text()
    assert 'data-cc="pekka@example.org, liisa@example.com"' in page


def test_every_refusal_has_its_finnish_words() -> None:
    from appliance.web.frame.i18n import catalogue
    from appliance.web.tickets.reply_refusals import REFUSAL_TEXTS

    finnish = catalogue("fi")
    assert [text for text in REFUSAL_TEXTS if not finnish.get(text)] == []


async def test_the_api_takes_copies_as_a_list_and_names_a_wrong_one(
    client: TestClient, tickets: TicketBook, backend: StoreWebBackend, smtp_server: SmtpServer,
    store: StoreWorker
) -> None:
    _use_smtp(backend, smtp_server)
    number = await open_sample_ticket(tickets)
    token = await log_in(client)
    headers = {"X-CSRF-Token": token}
    wrong = await client.post(f"/api/tickets/{number}/reply", headers=headers, json={
        "channel": "email", "body": "Hei", "cc": ["pekka@example.org", "ei-osoite"]})
    assert wrong.status == 400
    assert (await wrong.json())["error"] == "cc: not an address: ei-osoite"
    sent = await client.post(f"/api/tickets/{number}/reply", headers=headers, json={
        "channel": "email", "body": "Hei", "cc": ["pekka@example.org"]})
    data = await sent.json()
    assert data["queued_for_sending"] is True and data["sms_parts"] is None
    assert data["recipient"] == "Maija Meikäläinen <maija@example.fi>, pekka@example.org"
    assert await _outgoing(store) == 1
