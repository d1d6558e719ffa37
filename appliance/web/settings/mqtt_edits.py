"""The admin's MQTT form: broker, login, topics, discovery; a stored password is never shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.config_edit import Change
from appliance.web.settings.settings_answer import apply
from appliance.web.settings.toml_values import set_value, table

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

PASSWORD_FILE = "mqtt-password"  # beside aspa.toml, as the image's first boot makes it
PASSWORD_MAX = 200
TEXT_MAX = 255
TEXTS = ("host", "username", "topic_prefix", "discovery_prefix")
NUMBERS = ("port",)
FLAGS = ("enabled", "tls", "discovery")


def _changes(fields: forms.Fields) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in TEXTS:
        if name in fields:
            changes[name] = forms.text(fields, name, max_chars=TEXT_MAX, required=False)
    for name in NUMBERS:
        if name in fields:
            changes[name] = setting_fields.number(fields, name)
    for name in FLAGS:
        if name in fields:
            changes[name] = setting_fields.flag(fields, name)
    return changes


def _mqtt_change(changes: dict[str, Any], password: str, forget: bool) -> Change:
    def change(document: TOMLDocument) -> None:
        mqtt = table(document, "mqtt")
        for key, value in changes.items():
            set_value(mqtt, key, value)
        if password or forget:
            for key in ("password", "password_file"):
                if key in mqtt:
                    del mqtt[key]
        if password:
            mqtt["password_file"] = PASSWORD_FILE
    return change


def _password(fields: forms.Fields) -> str:
    value = setting_fields.secret_text(fields, "password", max_chars=PASSWORD_MAX)
    if value != value.strip():
        raise WebInputError("password must not start or end with a space")
    return value


async def mqtt_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/mqtt: fields left out stay; an empty password keeps the old one.

    A new password goes into mqtt-password beside aspa.toml (mode 0600), named by
    mqtt.password_file; `forget_password` removes the login's password.
    """
    fields = await forms.submitted(request)
    changes = _changes(fields)
    password = _password(fields)
    forget = "forget_password" in fields and setting_fields.flag(fields, "forget_password") is True
    if not changes and not password and not forget:
        raise WebInputError(f"give one of {', '.join((*TEXTS, *NUMBERS, *FLAGS, 'password'))}")
    typed: dict[str, Any] = {name: setting_fields.typed_text(fields, name)
                             for name in (*TEXTS, *NUMBERS) if name in changes}
    typed.update({name: changes[name] is True for name in FLAGS if name in changes})
    typed["typed_password"] = password  # shown back only in the refusal answering this post
    secrets = {PASSWORD_FILE: password} if password else None
    return await apply(request, _mqtt_change(changes, password, forget), section="mqtt",
                       typed=typed, secret_files=secrets)
