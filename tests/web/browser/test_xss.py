"""Hostile text from mail, SMS and callers runs no script anywhere in the pages.

Each vector would call alert() (a dialog) or set a flag if it ran; the page
also must log no error, which is where a blocked inline script would show up
as a Content-Security-Policy violation.
"""

from __future__ import annotations

import hashlib

import pytest

from appliance.store.customers import CustomerDirectory
from appliance.store.models import Attachment, Call, Message, Quarantine
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

VECTORS = [
    "<script>alert('subject')</script>",
    '"><img src=x onerror="alert(1)">',
    "<svg onload=alert(2)>",
    "javascript:alert(3)",
    "{{7*7}}<iframe srcdoc=\"<script>parent.alert(4)</script>\"></iframe>",
]
HOSTILE = " ".join(VECTORS)


async def _hostile_world(site: Site) -> list[int]:
    """Tickets, a customer, a call, an attachment and a quarantined mail full of vectors."""
    directory = CustomerDirectory(site.store.db)
    customer, _ = await site.store.call(directory.find_or_create, "phone", "+358409999999",
                                        name=HOSTILE)
    mail = await site.tickets.open_ticket("email", HOSTILE, customer.id, message=MessageDraft(
        channel="email", direction="in", subject=HOSTILE, body_text=HOSTILE,
        sender=f"{VECTORS[1]} <evil@example.fi>", body_html=HOSTILE))
    sms = await site.tickets.open_ticket("sms", VECTORS[0], customer.id, message=MessageDraft(
        channel="sms", direction="in", body_text=HOSTILE, sender="+358409999999"))
    data = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(5)'/>"
    digest = hashlib.sha256(data).hexdigest()
    blob = site.data_dir / "attachments" / digest[:2] / digest
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    message_id = (await site.store.call(Message.get, Message.ticket == mail.id)).id

    def write_rows() -> None:
        Attachment.create(message=message_id, filename=f"{VECTORS[1]}.svg",
                          content_type="image/svg+xml", size=len(data), sha256=digest)
        Call.create(call_ref="xss-call", line="gsm0", number="+358409999999",
                    customer=customer.id, outcome="abandoned",
                    offered_at=site.tickets.records.clock.now())
        Quarantine.create(source=f"mail:{VECTORS[2]}", reason=HOSTILE,
                          raw=HOSTILE.encode(), received_at=site.tickets.records.clock.now())

    await site.store.call(write_rows)
    await site.bus.drain()
    return [int(mail.number), int(sms.number), int(customer.id)]


async def test_no_vector_runs_on_any_page(site: Site, watched: Watched) -> None:
    mail, sms, customer = await _hostile_world(site)
    page = watched.page
    await log_in(page, site)
    paths = ["/", f"/tickets/{mail}", f"/tickets/{sms}", f"/customers/{customer}",
             "/wallboard", "/quarantine", "/quarantine/1", "/presence", "/reports",
             f"/admin/customers/{customer}/erase", "/admin/audit", "/admin/settings"]
    for path in paths:
        await page.goto(site.url + path)
        if path == f"/tickets/{mail}":
            await page.click("details summary")  # open the sandboxed HTML view too
            frame = page.frame_locator("iframe[sandbox]")
            await frame.locator("body").wait_for()
        await page.wait_for_load_state("load")
        assert watched.dialogs == [], path
    text = await page.content()
    assert "<svg onload" not in text
    assert watched.dialogs == []
    assert watched.errors == []


async def test_the_hostile_text_is_shown_as_text(site: Site, watched: Watched) -> None:
    page = watched.page
    await log_in(page, site)
    await page.goto(site.url + "/")
    shown = await page.locator("#queue-rows").inner_text()
    assert VECTORS[0] in shown  # the words are there, as words
    assert await page.locator("#queue-rows img, #queue-rows svg, #queue-rows script").count() \
        == 0
