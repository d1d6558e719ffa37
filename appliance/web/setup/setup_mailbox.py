"""First boot, the mailbox step: the first mailbox and the outgoing server, as Admin → Mailboxes."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.mailboxes.mailbox_config import add_mailbox
from appliance.web.mailboxes.mailbox_edits import check_connection, require_writable
from appliance.web.mailboxes.mailbox_form import MailboxForm
from appliance.web.mailboxes.mailbox_views import OutgoingTyped
from appliance.web.mailboxes.outgoing_edits import saved_and_used, send_test
from appliance.web.mailboxes.outgoing_form import OutgoingForm
from appliance.web.settings.settings_answer import edit_and_apply
from appliance.web.setup.setup_wall import step_response

STEP = "mailbox"
NEXT_PAGE = "/setup/agents?saved=mailbox"


async def setup_mailbox_save(request: web.Request) -> web.StreamResponse:
    """POST /setup/mailbox: the first mailbox into aspa.toml, then on to the agents."""
    require_writable(request)
    form = MailboxForm.from_fields(await forms.submitted(request), with_name=True)
    path = request.app[BACKEND].config_path
    problems = await edit_and_apply(request, partial(add_mailbox, path, form))
    if problems is not None:
        return await step_response(request, STEP, status=400, mailbox=form, problems=problems)
    raise web.HTTPSeeOther(NEXT_PAGE)


async def setup_mailbox_test(request: web.Request) -> web.StreamResponse:
    """POST /setup/mailbox/test: try the typed settings; nothing is saved."""
    require_writable(request)
    form = MailboxForm.from_fields(await forms.submitted(request), with_name=False)
    outcome = await check_connection(request, form, None)
    return await step_response(request, STEP, mailbox=form, check=outcome)


async def setup_outgoing_save(request: web.Request) -> web.StreamResponse:
    """POST /setup/outgoing-mail: the SMTP server for replies, then back to this step."""
    require_writable(request)
    form = OutgoingForm.from_fields(await forms.submitted(request))
    problems = await saved_and_used(request, form)
    if problems is not None:
        return await step_response(request, STEP, status=400,
                                   outgoing=OutgoingTyped(form, problems))
    raise web.HTTPSeeOther("/setup/mailbox?saved=outgoing#outgoing")


async def setup_outgoing_test(request: web.Request) -> web.StreamResponse:
    """POST /setup/outgoing-mail/test: send a test mail with the typed settings; nothing saved."""
    require_writable(request)
    form = OutgoingForm.from_fields(await forms.submitted(request))
    outcome = await send_test(request, form)
    return await step_response(request, STEP, outgoing=OutgoingTyped(form, check=outcome))
