"""The reply form as typed: channel, text, copies and files, read from a form or JSON."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from appliance.config.sections.mail import SmtpSettings
from appliance.tickets.reply_files import BYTES_PER_MB, FILES_MAX, FileCaps, ReplyFile
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import FieldError
from appliance.web.tickets.ticket_actions import BODY_MAX_CHARS

CHANNELS = ("email", "sms")
CC_MAX_CHARS = 2_000
FILE_FIELD = "files"


@dataclass(frozen=True)
class TypedReply:
    """What the agent typed and chose, before any check: shown again if one refuses it."""

    channel: str = "email"
    body: str = ""
    cc: str = ""
    files: list[ReplyFile] = field(default_factory=list)
    saved_ids: str = ""  # the saved replies inserted into the draft, as the page sends them


def outgoing_settings(request: web.Request) -> SmtpSettings:
    """The outgoing-mail settings in force (caps, sender format); the defaults without any."""
    backend = request.app[BACKEND]
    if backend.mail is not None:
        return backend.mail.smtp
    if backend.smtp is not None:
        return backend.smtp
    return backend.config.mail.smtp if backend.config is not None else SmtpSettings()


def file_caps(settings: SmtpSettings) -> FileCaps:
    """The configured caps in bytes."""
    return FileCaps(per_file_bytes=int(settings.attachment_max_mb * BYTES_PER_MB),
                    per_reply_bytes=int(settings.attachments_max_mb * BYTES_PER_MB))


def _read_all(upload: web.FileField) -> bytes:
    upload.file.seek(0)
    data: bytes = upload.file.read()
    return data


async def _files(request: web.Request) -> list[ReplyFile]:
    """The chosen files (aiohttp spooled them to disk), an empty file input left out."""
    if request.content_type != "multipart/form-data":
        return []
    form = await request.post()
    uploads = [u for u in form.getall(FILE_FIELD, []) if isinstance(u, web.FileField)]
    uploads = [u for u in uploads if u.filename]
    if len(uploads) > FILES_MAX:
        uploads = uploads[:FILES_MAX + 1]  # enough for the check to say "too many"
    out = []
    for upload in uploads:
        data = await asyncio.to_thread(_read_all, upload)
        out.append(ReplyFile(upload.filename, upload.content_type or "", data))
    return out


async def typed_reply(request: web.Request) -> TypedReply:
    """The form's fields as typed; FieldError for a field that cannot be read at all."""
    fields = await forms.submitted(request)
    channel = str(fields.get("channel") or "email")
    body = fields.get("body", "")
    cc = fields.get("cc", "")
    if isinstance(cc, list):  # the JSON API may send a list of addresses
        cc = ", ".join(str(a) for a in cc)
    if not isinstance(body, str):
        raise FieldError("body", "must be text")
    if not isinstance(cc, str):
        raise FieldError("cc", "must be text")
    saved = fields.get("saved_replies", "")
    saved_ids = ",".join(str(i) for i in saved) if isinstance(saved, list) else str(saved)
    return TypedReply(channel=channel, body=body, cc=cc[:CC_MAX_CHARS + 1],
                      files=await _files(request), saved_ids=saved_ids[:200])


def checked_text(typed: TypedReply) -> tuple[str, str]:
    """The channel and the text; FieldError when either is wrong."""
    channel = forms.choice({"channel": typed.channel}, "channel", CHANNELS)
    body = forms.text({"body": typed.body}, "body", max_chars=BODY_MAX_CHARS)
    if len(typed.cc) > CC_MAX_CHARS:
        raise FieldError("cc", "too long: at most {count} characters", count=CC_MAX_CHARS)
    return channel, body
