"""The admin's desk pins form: which agent sits at a desk wired to the box's GPIO, on which pins.

Saved, the GPIO part alone restarts with the new pins (runtime/live_config.py):
the old pins are released and the new ones claimed, the rest of the box goes on.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tomlkit.toml_document import TOMLDocument

from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.config_edit import Change
from appliance.web.settings.settings_answer import apply
from appliance.web.settings.toml_values import set_value

PINS = ("button_pin", "green_pin", "red_pin")
LOGIN_MAX = 64


def _desk_change(index: int, changes: dict[str, Any]) -> Change:
    def change(document: TOMLDocument) -> None:
        desks = document.get("gpio", {}).get("desks", [])
        if not 0 <= index < len(desks):
            raise web.HTTPNotFound(text=f"no such desk: {index + 1}")
        for key, value in changes.items():
            set_value(desks[index], key, value)
    return change


async def gpio_desk(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/gpio-desks/{id}: the agent and the pins of desk {id}.

    The loader checks the whole [gpio] (a pin used twice, a pin the Pi has not) and
    names the field it refuses; the file is written only when all of it holds.
    """
    number = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    changes: dict[str, Any] = {}
    if "agent" in fields:
        changes["agent"] = forms.text(fields, "agent", max_chars=LOGIN_MAX)
    for name in PINS:
        if name in fields:
            changes[name] = setting_fields.number(fields, name)
    if not changes:
        raise WebInputError(f"give one of {', '.join(('agent', *PINS))}")
    typed = {key: setting_fields.typed_text(fields, key) for key in changes}
    return await apply(request, _desk_change(number - 1, changes),
                       section=f"gpio_desks/{number}", typed=typed)
