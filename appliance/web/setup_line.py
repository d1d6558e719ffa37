"""First boot, the line step: a modem's SIM PIN into aspa.toml, then back to the step."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from aiohttp import web
from tomlkit.toml_document import TOMLDocument

from appliance.store.errors import NotFound
from appliance.web import forms
from appliance.web.app_keys import BACKEND
from appliance.web.config_edit import edit_config
from appliance.web.mailbox_edits import apply_edit, require_writable
from appliance.web.setup_wall import step_response

PIN_MAX = 16  # the loader checks the digits
STEP = "line"


def set_modem_pin(path: Path | None, index: int, pin: str) -> None:
    """Modem `index`'s SIM PIN (0 = the first modem); an empty PIN removes it. Blocking."""
    def change(document: TOMLDocument) -> None:
        modems = document.get("gsm", {}).get("modems", [])
        if not 0 <= index < len(modems):
            raise NotFound(f"no such modem: {index + 1}")
        if pin:
            modems[index]["pin"] = pin
        elif "pin" in modems[index]:
            del modems[index]["pin"]

    edit_config(path, change)


async def setup_modem_pin(request: web.Request) -> web.StreamResponse:
    """POST /setup/line/modems/{id}/pin: modem {id}'s SIM PIN; a refused one is not shown back."""
    require_writable(request)
    index = forms.path_number(request, "id") - 1
    pin = forms.text(await forms.submitted(request), "pin", max_chars=PIN_MAX, required=False)
    path = request.app[BACKEND].config_path
    problems = await apply_edit(partial(set_modem_pin, path, index, pin))
    if problems is not None:
        return await step_response(request, STEP, status=400, problems=problems)
    raise web.HTTPSeeOther("/setup/line?saved=line")
