"""Pairing desk units from the admin page: add (credentials shown once), re-pair, remove."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.config.schema import ConfigError
from appliance.config.sections.desk_units import unit_id
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.frame.rendering import render
from appliance.web.settings.config_edit import Change
from appliance.web.settings.editable_settings import saved_config
from appliance.web.settings.settings_answer import apply, save, saved
from appliance.web.settings.toml_values import set_value

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

PASSWORD_BYTES = 18  # 24 URL-safe characters: easy to type into config.json, 144 bits
BROKER_PASSWD = "/etc/mosquitto/aspa.passwd"  # systemd/mosquitto/aspa.conf names it
LOGIN_MAX = 100


def password_file_of(unit: str) -> str:
    """The file beside aspa.toml that holds a unit's password, as firmware/README.md names it."""
    return f"{unit}.password"


def _units(document: TOMLDocument) -> Any:
    import tomlkit

    if "desk_units" not in document:
        document["desk_units"] = tomlkit.aot()
    return document["desk_units"]


def _index_of(units: Any, unit: str) -> int:
    for index, entry in enumerate(units):
        if entry.get("id") == unit:
            return index
    raise web.HTTPNotFound(text=f"no such desk unit: {unit[:63]}")


def _add_change(unit: str, agent: str, folder: Path) -> Change:
    def change(document: TOMLDocument) -> None:
        import tomlkit

        units = _units(document)
        key = f"desk_units[{len(units)}]"
        wrong = unit_id(unit)
        if wrong:  # checked before the id becomes a file name
            raise ConfigError([f"{key}.id: {wrong}"])
        if (folder / password_file_of(unit)).exists():  # never overwrite another's secret
            raise ConfigError([f"{key}.password_file: {password_file_of(unit)} already exists "
                               f"beside aspa.toml; remove it or choose another id"])
        entry = tomlkit.table()
        entry["id"], entry["agent"] = unit, agent
        entry["password_file"] = password_file_of(unit)
        entry.add(tomlkit.nl())  # a blank line before whatever follows the list
        units.append(entry)
    return change


async def desk_unit_add(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/desk-units: pair unit `id` to agent `agent` with a new password.

    The answer shows the unit's MQTT login once; the box keeps the password only in
    ID.password beside aspa.toml (mode 0600).
    """
    fields = await forms.submitted(request)
    unit = forms.text(fields, "id", max_chars=LOGIN_MAX, required=False).lower()
    agent = forms.text(fields, "agent", max_chars=LOGIN_MAX, required=False)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    files = {password_file_of(unit): password} if unit_id(unit) is None else None
    path = request.app[BACKEND].config_path
    folder = path.absolute().parent if path is not None else Path()
    refused = await save(request, _add_change(unit, agent, folder), section="new_desk_unit",
                         typed={"id": unit, "agent": agent}, secret_files=files)
    if refused is not None:
        return refused
    return await _credentials(request, unit, agent, password)


async def _credentials(request: web.Request, unit: str, agent: str,
                       password: str) -> web.StreamResponse:
    """The one time the unit's password is shown: for its config.json and for the broker."""
    backend = request.app[BACKEND]
    config, _ = await asyncio.to_thread(saved_config, backend.config, backend.config_path)
    command = f"sudo mosquitto_passwd {BROKER_PASSWD} {unit}"
    login = {"unit": unit, "agent": agent, "password": password, "box": config.box.name,
             "broker": request.url.host or "", "port": config.mqtt.port}
    if wants_json(request):
        response: web.Response = web.json_response(
            {"ok": True, "restart_needed": backend.restart_needed(), **login,
             "broker_command": command})
    else:
        response = render(request, "admin_desk_unit_paired.html", login=login, command=command,
                          config_json=_config_json(login))
    response.headers["Cache-Control"] = "no-store"  # the password must not stay in a cache
    return response


def _config_json(login: dict[str, Any]) -> str:
    """The lines of the unit's config.json that come from the box (firmware/README.md)."""
    keys = ("broker", "port", "box", "unit", "password")
    return ",\n".join(f"  {json.dumps(k)}: {json.dumps(login[k])}" for k in keys)


def _pair_change(unit: str, agent: str) -> Change:
    def change(document: TOMLDocument) -> None:
        units = _units(document)
        set_value(units[_index_of(units, unit)], "agent", agent)
    return change


async def desk_unit_pair(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/desk-units/{id}: pair the unit to another agent (`agent`)."""
    unit = request.match_info["id"][:LOGIN_MAX]
    fields = await forms.submitted(request)
    agent = forms.text(fields, "agent", max_chars=LOGIN_MAX, required=False)
    return await apply(request, _pair_change(unit, agent), section=f"desk_units/{unit}",
                       typed={"agent": agent})


def _remove_change(unit: str, folder: Path, files: list[Path]) -> Change:
    def change(document: TOMLDocument) -> None:
        units = _units(document)
        index = _index_of(units, unit)
        named = str(units[index].get("password_file", ""))
        if unit_id(unit) is None and named == password_file_of(unit):
            files.append(folder / named)  # the file pairing made: removed with the unit
        del units[index]
    return change


async def desk_unit_remove(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/desk-units/{id}/remove: unpair the unit and forget its password."""
    unit = request.match_info["id"][:LOGIN_MAX]
    path = request.app[BACKEND].config_path
    folder = path.absolute().parent if path is not None else Path()
    files: list[Path] = []
    refused = await save(request, _remove_change(unit, folder, files),
                         section=f"desk_units/{unit}")
    if refused is not None:
        return refused
    for file in files:
        await asyncio.to_thread(file.unlink, True)
    return saved(request, "desk_units")
