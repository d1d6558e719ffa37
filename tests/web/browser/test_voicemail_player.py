"""A caller's message plays in the ticket page: the browser reads the recording's duration."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from appliance.media.opus_file import write_opus
from appliance.media.pcm import NARROW_BAND
from appliance.media.tones import tone
from appliance.store.attachment_folder import attachments_dir, store_blob
from appliance.store.models import Attachment, Message
from appliance.store.tickets import MessageDraft
from tests.web.browser.conftest import Site, Watched, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _voicemail_ticket(site: Site, seconds: float) -> int:
    """A callback owed with a recorded message, filed the way the exchange files one."""
    ticket = await site.tickets.open_ticket("callback", "Soita takaisin: +358401234567",
                                            message=MessageDraft(channel="call", direction="in",
                                                                 body_text="Ääniviesti 0:02"))
    encoded = await asyncio.to_thread(write_opus, tone(440, seconds), NARROW_BAND,
                                      site.data_dir / "vm.ogg")
    data = encoded.path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    store_blob(attachments_dir(site.data_dir), sha256, data)

    def attach() -> None:
        message = Message.get(Message.ticket == ticket.id)
        Attachment.create(message=message.id, filename="voicemail.ogg",
                          content_type="audio/ogg", size=len(data), sha256=sha256)

    await site.store.call(attach)
    return int(ticket.number)


async def test_a_voicemail_plays_in_the_ticket_page(site: Site, watched: Watched) -> None:
    page = watched.page
    number = await _voicemail_ticket(site, 2.0)
    await log_in(page, site)
    await page.goto(f"{site.url}/tickets/{number}")
    player = page.locator("audio.recording")
    await player.wait_for()
    duration = await player.evaluate(
        "a => new Promise(done => a.readyState >= 1 ? done(a.duration) "
        ": a.addEventListener('loadedmetadata', () => done(a.duration)))")
    assert 1.8 <= duration <= 2.3
    assert watched.errors == []


async def test_a_mail_attachment_claiming_to_be_audio_is_not_played(
        site: Site, watched: Watched) -> None:
    ticket = await site.tickets.open_ticket("email", "Kuuntele", message=MessageDraft(
        channel="email", direction="in", body_text="liitteenä", sender="a@example.fi"))

    def attach() -> int:
        message = Message.get(Message.ticket == ticket.id)
        return int(Attachment.create(message=message.id, filename="x.ogg",
                                     content_type="audio/ogg", size=4, sha256="0" * 64).id)

    attachment_id = await site.store.call(attach)
    page = watched.page
    await log_in(page, site)
    await page.goto(f"{site.url}/tickets/{ticket.number}")
    assert await page.locator("audio.recording").count() == 0
    played = await page.request.get(f"{site.url}/attachments/{attachment_id}/play")
    assert played.status == 404
