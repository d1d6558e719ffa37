"""The admin's VoIP account form: provider, login, transport, SIP port; the password never shown.

Saved, the VoIP line alone restarts with it (runtime/live_config.py): its calls end
as at a baresip restart, the rest of the box goes on.
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
from appliance.web.settings.toml_values import set_value, table

PASSWORD_FILE = "voip-password"  # beside aspa.toml, like mqtt-password
PASSWORD_MAX = 200
TEXT_MAX = 255
TEXTS = ("registrar", "proxy", "user", "display_name", "transport")
NUMBERS = ("sip_port",)


def _changes(fields: forms.Fields) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in TEXTS:
        if name in fields:
            changes[name] = forms.text(fields, name, max_chars=TEXT_MAX, required=False)
    for name in NUMBERS:
        if name in fields:
            changes[name] = setting_fields.number(fields, name)
    return changes


def _voip_change(changes: dict[str, Any], password: str) -> Change:
    def change(document: TOMLDocument) -> None:
        voip = table(document, "voip")
        for key, value in changes.items():
            set_value(voip, key, value)
        if password:
            for key in ("password", "password_file"):
                if key in voip:
                    del voip[key]
            voip["password_file"] = PASSWORD_FILE
    return change


async def voip_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/voip: fields left out stay; an empty password keeps the old one.

    A new password goes into voip-password beside aspa.toml (mode 0600), named by
    voip.password_file; the loader checks every value and names the field it refuses.
    """
    fields = await forms.submitted(request)
    changes = _changes(fields)
    password = setting_fields.secret_text(fields, "password", max_chars=PASSWORD_MAX)
    if not changes and not password:
        raise WebInputError(f"give one of {', '.join((*TEXTS, *NUMBERS, 'password'))}")
    typed: dict[str, Any] = {name: setting_fields.typed_text(fields, name) for name in changes}
    typed["typed_password"] = password  # shown back only in the refusal answering this post
    secrets = {PASSWORD_FILE: password} if password else None
    return await apply(request, _voip_change(changes, password), section="voip",
                       typed=typed, secret_files=secrets)
