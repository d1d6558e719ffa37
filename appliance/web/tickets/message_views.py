"""A mail's HTML, sanitised and shown in a sandboxed frame; attachments only as downloads."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from aiohttp import web

from appliance.store.models import Attachment, Message
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.forms import path_number
from appliance.web.tickets.ticket_reads import is_recording

# The frame's own policy: no script, no plugins, no requests anywhere, no forms
# (the iframe's sandbox="" says the same on the outer page's side).
HTML_PART_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "frame-ancestors 'self'; sandbox")

SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")
NAME_MAX = 100


@cache
def framed_tags() -> frozenset[str]:
    """nh3's safe tags without images: a remote one tells the sender the mail was read."""
    import nh3  # 1.5 MB of sanitiser: loaded when the first mail's HTML is shown

    return frozenset(nh3.ALLOWED_TAGS) - {"img"}


def _html_of(message_id: int) -> str | None:
    row = Message.select(Message.body_html).where(Message.id == message_id).first()
    return None if row is None else row.body_html


async def message_html(request: web.Request) -> web.StreamResponse:
    """GET /messages/{id}/html: the mail's HTML with scripts, handlers and links to outside
    removed (nh3), to be shown only inside <iframe sandbox>."""
    message_id = path_number(request, "id")
    html = await request.app[BACKEND].store.call(_html_of, message_id)
    if html is None:
        raise web.HTTPNotFound(text=f"message {message_id} has no HTML part")
    import nh3

    clean = nh3.clean(html, tags=set(framed_tags()), url_schemes={"mailto"}, url_relative="deny",
                      link_rel="noopener noreferrer nofollow")
    response = web.Response(text=clean, content_type="text/html", charset="utf-8")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = HTML_PART_CSP
    return response


def download_name(name: str) -> str:
    """A file name safe in a Content-Disposition header and on any disk."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = SAFE_NAME.sub("_", ascii_name).strip(" .")[:NAME_MAX]
    return cleaned or "attachment"


def _attachment(attachment_id: int) -> Attachment | None:
    return Attachment.get_or_none(Attachment.id == attachment_id)


def _recording(attachment_id: int) -> Attachment | None:
    row = _attachment(attachment_id)
    if row is None or not is_recording(row.message.channel, row.content_type):
        return None
    return row


async def recording(request: web.Request) -> web.StreamResponse:
    """GET /attachments/{id}/play: a voicemail the box recorded, for the page's audio player."""
    attachment_id = path_number(request, "id")
    backend = request.app[BACKEND]
    row = await backend.store.call(_recording, attachment_id)
    if row is None or backend.data_dir is None:
        raise web.HTTPNotFound(text=f"recording {attachment_id} does not exist")
    path = _blob(backend.data_dir, row)
    response = web.FileResponse(path)
    response.content_type = "audio/ogg"
    response.headers["Content-Disposition"] = "inline"
    return response


def _blob(data_dir: Path, row: Attachment) -> Path:
    from appliance.store.attachment_folder import attachments_dir, blob_path

    if not re.fullmatch(r"[0-9a-f]{64}", row.sha256):
        raise web.HTTPNotFound(text=f"attachment {row.id} is not stored")
    path = blob_path(attachments_dir(data_dir), row.sha256)
    if not path.is_file():
        raise web.HTTPNotFound(text=f"attachment {row.id} is missing on disk")
    return path


async def attachment(request: web.Request) -> web.StreamResponse:
    """GET /attachments/{id}: always a download, never shown (SVG/HTML cannot run here)."""
    attachment_id = path_number(request, "id")
    backend = request.app[BACKEND]
    row = await backend.store.call(_attachment, attachment_id)
    if row is None or backend.data_dir is None:
        raise web.HTTPNotFound(text=f"attachment {attachment_id} does not exist")
    response = web.FileResponse(_blob(backend.data_dir, row))
    response.content_type = "application/octet-stream"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download_name(row.filename)}"')
    return response
