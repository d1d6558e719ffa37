"""The PUK form: a SIM locked after wrong PINs opened from the settings page, the new PIN saved.

The line does the talking (gsm/supervisor.py: only a SIM that asks for its PUK is sent it);
this page turns its one-word refusal into what the admin should do, in their language.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from appliance.ports.lines import SimUnblockRefused
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.i18n import language_of, translator
from appliance.web.settings.editable_settings import saved_config
from appliance.web.settings.settings_answer import apply, refusal
from appliance.web.settings.settings_edits import pin_change
from appliance.web.settings.settings_views import Refused

CODE_MAX = 16  # the line checks the digits: a PUK has 8, a PIN 4 to 8

_SAID = {
    "no_such_line": "This modem is not running on the box: save its settings and wait until "
                    "it has started.",
    "not_locked": "The SIM does not ask for its PUK, so nothing was sent: if the line stopped "
                  "for a wrong PIN, save the right PIN above.",
    "no_modem": "The modem does not answer: check that it is plugged in and try again.",
    "bad_format": "The PUK has 8 digits and the new PIN 4 to 8 digits.",
    "sim_dead": "The SIM refused the PUK for the last time and no longer works: ask your "
                "operator for a new SIM.",
}


def _said(error: SimUnblockRefused, language: str) -> str:
    t = translator(language)
    if error.reason == "wrong_puk":
        if error.tries_left is None:
            return t("Wrong PUK: check the code on the SIM's card. Each wrong PUK uses one of "
                     "its ten tries.")
        return t("Wrong PUK: check the code on the SIM's card ({left} tries left; after the "
                 "last the SIM no longer works).", left=error.tries_left)
    return t(_SAID.get(error.reason, "The SIM could not be unblocked."))


async def unblock(request: web.Request, number: int) -> tuple[str, str | None]:
    """Send modem `number`'s PUK and new PIN (fields puk, new_pin) through its line.

    (the new PIN, None) when the SIM is open again, else (the new PIN, what to do).
    """
    fields = await forms.submitted(request)
    puk = forms.text(fields, "puk", max_chars=CODE_MAX, required=False)
    new_pin = forms.text(fields, "new_pin", max_chars=CODE_MAX, required=False)
    backend = request.app[BACKEND]
    config, _ = await asyncio.to_thread(saved_config, backend.config, backend.config_path)
    modems = config.gsm.modems if config is not None else ()
    if not 0 < number <= len(modems):
        raise web.HTTPNotFound(text=f"no such modem: {number}")
    try:
        if backend.lines is None:
            raise SimUnblockRefused("no_such_line")
        await backend.lines.unblock_sim(modems[number - 1].name, puk, new_pin)
    except SimUnblockRefused as error:
        return new_pin, _said(error, language_of(request))
    return new_pin, None


async def modem_puk(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/modems/{id}/puk: unblock modem {id}'s SIM (fields puk, new_pin).

    On success the new PIN is saved as the modem's PIN, so the next start uses it too.
    Neither code is shown back after a refusal: the PUK and PIN are typed again.
    """
    number = forms.path_number(request, "id")
    section = f"modems/{number}"
    new_pin, problem = await unblock(request, number)
    if problem is not None:
        return await refusal(request, Refused(section, {}, [problem]))
    return await apply(request, pin_change(number - 1, new_pin), section=section)
