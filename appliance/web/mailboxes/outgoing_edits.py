"""Admin → Mailboxes → Outgoing mail: save [mail.smtp], or send a test mail (saves nothing)."""

from __future__ import annotations

import asyncio
from functools import partial

from aiohttp import web

from appliance.config.schema import ConfigError
from appliance.config.sections.mail import SmtpSettings
from appliance.ports.mail_desk import MailRefused
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.mailboxes.mailbox_edits import require_writable
from appliance.web.mailboxes.mailbox_views import (
    CheckOutcome,
    OutgoingTyped,
    mailboxes_response,
)
from appliance.web.mailboxes.outgoing_config import (
    save_outgoing,
    saved_outgoing,
    settings_to_try,
)
from appliance.web.mailboxes.outgoing_form import OutgoingForm
from appliance.web.settings.settings_answer import edit_and_apply


async def send_test(request: web.Request, form: OutgoingForm) -> CheckOutcome:
    """Send a test mail with the typed settings to `test_to` (else the sender address)."""
    backend = request.app[BACKEND]
    mail = backend.mail
    if mail is None:
        return CheckOutcome(ok=False, detail="this box runs without its mail part")
    path = backend.config_path
    try:
        saved, boxes = (await asyncio.to_thread(saved_outgoing, path) if path is not None
                        else (SmtpSettings(), []))
        settings = settings_to_try(form, saved, boxes)
    except ConfigError as error:
        return CheckOutcome(ok=False, detail="; ".join(error.problems))
    if not settings.host:
        return CheckOutcome(ok=False, detail="mail.smtp.host: required")
    to = form.test_to or form.from_address
    try:
        return CheckOutcome(ok=True, detail=await mail.send_test_mail(settings, to))
    except MailRefused as error:
        return CheckOutcome(ok=False, detail=str(error))


async def saved_and_used(request: web.Request, form: OutgoingForm) -> list[str] | None:
    """Write [mail.smtp]; once saved, replies go out through it. The problems if refused."""
    backend = request.app[BACKEND]
    return await edit_and_apply(request, partial(save_outgoing, backend.config_path, form))


async def outgoing_save(request: web.Request) -> web.StreamResponse:
    """POST /admin/outgoing-mail: the SMTP server replies go out through."""
    require_writable(request)
    form = OutgoingForm.from_fields(await forms.submitted(request))
    problems = await saved_and_used(request, form)
    if problems is None:
        if wants_json(request):
            return web.json_response({"ok": True})
        raise web.HTTPSeeOther("/admin/mailboxes?saved=outgoing#outgoing")
    if wants_json(request):
        return web.json_response({"error": "the change was not saved", "problems": problems},
                                 status=400)
    return await mailboxes_response(request, outgoing=OutgoingTyped(form, problems), status=400)


async def outgoing_test(request: web.Request) -> web.StreamResponse:
    """POST /admin/outgoing-mail/test: send a test mail with the typed settings."""
    require_writable(request)
    form = OutgoingForm.from_fields(await forms.submitted(request))
    outcome = await send_test(request, form)
    if wants_json(request):
        return web.json_response(outcome.json())
    return await mailboxes_response(request, outgoing=OutgoingTyped(form, check=outcome))
