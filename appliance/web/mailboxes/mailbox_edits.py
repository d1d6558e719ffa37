"""Admin form posts for mailboxes: add, change, remove, and "Test connection" (saves nothing)."""

from __future__ import annotations

import asyncio
from functools import partial

from aiohttp import web

from appliance.config.schema import ConfigError
from appliance.ports.mail_desk import MailRefused
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import WebInputError, wants_json
from appliance.web.mailboxes.mailbox_config import (
    add_mailbox,
    change_mailbox,
    remove_mailbox,
    saved_password,
)
from appliance.web.mailboxes.mailbox_form import MailboxForm
from appliance.web.mailboxes.mailbox_views import CheckOutcome, Typed, mailboxes_response
from appliance.web.settings.settings_answer import edit_and_apply

READ_ONLY = "settings are read-only here: Aspa was started without aspa.toml"


def require_writable(request: web.Request) -> None:
    """Refuse every mailbox post on a box that runs without a config file (the demo)."""
    if request.app[BACKEND].config_path is None:
        raise web.HTTPConflict(text=READ_ONLY)


async def check_connection(request: web.Request, form: MailboxForm,
                           index: int | None) -> CheckOutcome:
    """Log in with the typed settings; an empty password means the stored one of `index`."""
    path = request.app[BACKEND].config_path
    password = form.password
    try:
        if not password and index is not None and path is not None:
            password = await asyncio.to_thread(saved_password, path, index)
        settings = form.settings(password)
    except ConfigError as error:
        return CheckOutcome(ok=False, detail="; ".join(error.problems))
    mail = request.app[BACKEND].mail
    if mail is None:
        return CheckOutcome(ok=False, detail="this box runs without its mail part")
    try:
        return CheckOutcome(ok=True, detail=await mail.test_mailbox(settings, password))
    except MailRefused as error:
        return CheckOutcome(ok=False, detail=str(error))


def _index(request: web.Request) -> int | None:
    """The mailbox the path names (1 = the first), as a list index; None for a new one."""
    return forms.path_number(request, "id") - 1 if "id" in request.match_info else None


async def _answer(request: web.Request, problems: list[str] | None,
                  typed: Typed | None) -> web.StreamResponse:
    if problems is None:
        if wants_json(request):
            return web.json_response({"ok": True,
                                      "restart_needed": request.app[BACKEND].restart_needed()})
        raise web.HTTPSeeOther("/admin/mailboxes?saved=1")
    if wants_json(request):
        return web.json_response({"error": "the change was not saved", "problems": problems},
                                 status=400)
    return await mailboxes_response(request, problems=problems, typed=typed, status=400)


async def mailbox_add(request: web.Request) -> web.StreamResponse:
    """POST /admin/mailboxes: a new mailbox."""
    require_writable(request)
    form = MailboxForm.from_fields(await forms.submitted(request), with_name=True)
    path = request.app[BACKEND].config_path
    problems = await edit_and_apply(request, partial(add_mailbox, path, form))
    return await _answer(request, problems, Typed(form))


async def mailbox_change(request: web.Request) -> web.StreamResponse:
    """POST /admin/mailboxes/{id}: mailbox {id}'s settings; an empty password keeps it."""
    require_writable(request)
    index = forms.path_number(request, "id") - 1
    form = MailboxForm.from_fields(await forms.submitted(request), with_name=False)
    path = request.app[BACKEND].config_path
    problems = await edit_and_apply(request, partial(change_mailbox, path, index, form))
    return await _answer(request, problems, Typed(form, index))


async def mailbox_remove(request: web.Request) -> web.StreamResponse:
    """POST /admin/mailboxes/{id}/remove: stop taking in mailbox {id}."""
    require_writable(request)
    index = forms.path_number(request, "id") - 1
    if not forms.flag(await forms.submitted(request), "confirm"):
        raise WebInputError("tick confirm to remove the mailbox")
    path = request.app[BACKEND].config_path
    problems = await edit_and_apply(request, partial(remove_mailbox, path, index))
    return await _answer(request, problems, None)


async def mailbox_test(request: web.Request) -> web.StreamResponse:
    """POST /admin/mailboxes/test or /admin/mailboxes/{id}/test: try the typed settings."""
    require_writable(request)
    index = _index(request)
    form = MailboxForm.from_fields(await forms.submitted(request), with_name=False)
    outcome = await check_connection(request, form, index)
    if wants_json(request):
        return web.json_response(outcome.json())
    return await mailboxes_response(request, typed=Typed(form, index), check=outcome)
