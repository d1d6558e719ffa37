"""The admin's form for this box: its name, language, time zone and home country."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.settings_answer import apply, refusal
from appliance.web.settings.settings_views import Refused
from appliance.web.settings.toml_values import section_change

if TYPE_CHECKING:
    pass

TEXT_MAX = 64  # a host name label is 63; the longest IANA zone name is 32
TEXTS = ("name", "language", "time_zone")
NUMBERS = ("country_code",)



async def box_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/box: `name`, `language` (fi/en), `time_zone` (IANA), `country_code`.

    Fields left out stay as they are.
    """
    fields = await forms.submitted(request)
    problems: list[str] = []
    changes: dict[str, Any] = {
        name: setting_fields.checked_text(fields, name, key=f"box.{name}", max_chars=TEXT_MAX,
                                          problems=problems)
        for name in TEXTS if name in fields}
    changes.update({name: setting_fields.number(fields, name)
                    for name in NUMBERS if name in fields})
    if not changes:
        raise WebInputError(f"give one of {', '.join((*TEXTS, *NUMBERS))}")
    typed = {name: setting_fields.typed_text(fields, name) for name in changes}
    if problems:
        return await refusal(request, Refused("box", typed, problems))
    return await apply(request, section_change("box", changes), section="box", typed=typed)
