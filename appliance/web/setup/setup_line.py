"""First boot, the line step: a modem's SIM PIN into aspa.toml, then back to the step."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.mailboxes.mailbox_edits import require_writable
from appliance.web.settings.config_edit import edit_config
from appliance.web.settings.settings_answer import run_edit
from appliance.web.settings.settings_edits import PIN_MAX, pin_change
from appliance.web.settings.sim_unblock import unblock
from appliance.web.setup.setup_wall import step_response

STEP = "line"


async def setup_modem_pin(request: web.Request) -> web.StreamResponse:
    """POST /setup/line/modems/{id}/pin: modem {id}'s SIM PIN; a refused one is not shown back."""
    require_writable(request)
    index = forms.path_number(request, "id") - 1
    pin = forms.text(await forms.submitted(request), "pin", max_chars=PIN_MAX, required=False)
    path = request.app[BACKEND].config_path
    problems = await run_edit(partial(edit_config, path, pin_change(index, pin)))
    if problems is not None:
        return await step_response(request, STEP, status=400, problems=problems)
    raise web.HTTPSeeOther("/setup/line?saved=line")


async def setup_modem_puk(request: web.Request) -> web.StreamResponse:
    """POST /setup/line/modems/{id}/puk: unblock a PUK-locked SIM and save its new PIN."""
    require_writable(request)
    number = forms.path_number(request, "id")
    new_pin, problem = await unblock(request, number)
    if problem is not None:
        return await step_response(request, STEP, status=400, problems=[problem])
    path = request.app[BACKEND].config_path
    problems = await run_edit(partial(edit_config, path, pin_change(number - 1, new_pin)))
    if problems is not None:
        return await step_response(request, STEP, status=400, problems=problems)
    raise web.HTTPSeeOther("/setup/line?saved=line")
