"""A mail's HTML is sanitised and framed in a sandbox; attachments are downloads only."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp.test_utils import TestClient

from appliance.store.models import Attachment, Message
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker
from appliance.web.tickets.message_views import download_name
from tests.web.conftest import log_in, open_sample_ticket

HOSTILE_HTML = ('<p onclick="alert(1)">Hei <b>Maija</b></p><script>alert(2)</script>'
                '<img src="http://tracker.example/x.gif"><a href="javascript:alert(3)">x</a>'
                '<svg onload="alert(4)"></svg>')
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(5)"/>'


async def _mail_with_html_and_file(tickets: TicketBook, store: StoreWorker,
                                   data_dir: Path) -> tuple[int, int, int]:
    number = await open_sample_ticket(tickets)
    ticket_id = await store.call(lambda: Message.get().ticket_id)
    message = await tickets.add_message(ticket_id, MessageDraft(
        channel="email", direction="in", body_text="Hei Maija", body_html=HOSTILE_HTML))
    digest = hashlib.sha256(SVG).hexdigest()
    blob = data_dir / "attachments" / digest[:2] / digest
    blob.parent.mkdir(parents=True)
    blob.write_bytes(SVG)
    attachment = await store.call(lambda: Attachment.create(
        message=message.id, filename='"><img src=x onerror=alert(6)>../../evil.svg',
        content_type="image/svg+xml", size=len(SVG), sha256=digest))
    return number, int(message.id), int(attachment.id)


async def test_html_is_sanitised_and_only_shown_sandboxed(
    client: TestClient, tickets: TicketBook, store: StoreWorker, tmp_path: Path
) -> None:
    number, message_id, _ = await _mail_with_html_and_file(tickets, store, tmp_path)
    await log_in(client)
    page = await (await client.get(f"/tickets/{number}")).text()
    assert f'<iframe sandbox="" src="/messages/{message_id}/html"' in page
    framed = await client.get(f"/messages/{message_id}/html")
    html = await framed.text()
    assert "<b>Maija</b>" in html
    for bad in ("onclick", "<script", "alert(2)", "tracker.example", "javascript:", "onload"):
        assert bad not in html, bad
    csp = framed.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"


async def test_attachments_download_with_a_safe_name_and_nosniff(
    client: TestClient, tickets: TicketBook, store: StoreWorker, tmp_path: Path
) -> None:
    number, _, attachment_id = await _mail_with_html_and_file(tickets, store, tmp_path)
    await log_in(client)
    page = await (await client.get(f"/tickets/{number}")).text()
    assert "&#34;&gt;&lt;img src=x onerror=alert(6)&gt;../../evil.svg" in page
    response = await client.get(f"/attachments/{attachment_id}")
    assert response.status == 200
    assert await response.read() == SVG
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="___img src_x onerror_alert_6__.._.._evil.svg"')
    assert (await client.get("/attachments/999")).status == 404


def test_download_names_keep_letters_and_lose_the_rest() -> None:
    assert download_name("Lasku äö 2026.pdf") == "Lasku ao 2026.pdf"
    assert download_name('a"b\r\nc;d.txt') == "a_b__c_d.txt"
    assert download_name("...") == "attachment"
    assert len(download_name("x" * 500)) == 100
