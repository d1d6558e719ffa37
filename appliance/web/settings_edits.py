"""Admin form posts that change aspa.toml: a modem's SIM PIN, business hours, ring groups."""

from __future__ import annotations

import asyncio
from typing import Any

import tomlkit
from aiohttp import web
from tomlkit.toml_document import TOMLDocument

from appliance.config_schema import ConfigError
from appliance.config_sections.business_hours import WEEKDAYS
from appliance.web import forms
from appliance.web.app_keys import BACKEND
from appliance.web.config_edit import Change, ConfigReadOnly, edit_config
from appliance.web.errors import WebInputError, wants_json

PIN_MAX = 16
HOURS_MAX = 200  # characters of one day's intervals
MEMBERS_MAX = 2000


def _table(document: TOMLDocument, name: str) -> Any:
    """The top-level table `name`, made when the file has none."""
    if name not in document:
        document[name] = tomlkit.table()
    return document[name]


def _pin_change(index: int, pin: str) -> Change:
    def change(document: TOMLDocument) -> None:
        modems = document.get("gsm", {}).get("modems", [])
        if not 0 <= index < len(modems):
            raise web.HTTPNotFound(text=f"no such modem: {index + 1}")
        if pin:
            modems[index]["pin"] = pin
        elif "pin" in modems[index]:
            del modems[index]["pin"]
    return change


async def modem_pin(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/modems/{id}/pin: modem {id}'s SIM PIN (1 = the first); empty = none."""
    index = forms.path_number(request, "id") - 1
    fields = await forms.submitted(request)
    pin = forms.text(fields, "pin", max_chars=PIN_MAX, required=False)
    return await _apply(request, _pin_change(index, pin))


def _day(fields: forms.Fields, day: str) -> list[str]:
    """A day's intervals: a JSON list, or the form's comma-separated text."""
    value = fields.get(day)
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise WebInputError(f"{day} must be a list of 'HH:MM-HH:MM' texts")
        return [v.strip() for v in value]
    text = forms.text(fields, day, max_chars=HOURS_MAX, required=False)
    return [part.strip() for part in text.split(",") if part.strip()]


def _hours_change(week: dict[str, list[str]]) -> Change:
    def change(document: TOMLDocument) -> None:
        hours = _table(document, "business_hours")
        if "weekly" not in hours:
            hours["weekly"] = tomlkit.table()
        for day, intervals in week.items():
            hours["weekly"][day] = intervals
    return change


async def business_hours(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/business-hours: the weekly opening hours (fields mon … sun)."""
    fields = await forms.submitted(request)
    week = {day: _day(fields, day) for day in WEEKDAYS if day in fields}
    if not week:
        raise WebInputError(f"give at least one weekday: {', '.join(WEEKDAYS)}")
    return await _apply(request, _hours_change(week))


def _logins(fields: forms.Fields) -> list[str]:
    """Ring-group members: a JSON list, or the form's comma-separated logins."""
    value = fields.get("members")
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise WebInputError("members must be a list of agent logins")
        return [v.strip() for v in value]
    text = forms.text(fields, "members", max_chars=MEMBERS_MAX, required=False)
    return [part.strip() for part in text.split(",") if part.strip()]


def _seconds(fields: forms.Fields, name: str) -> int:
    value = fields.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 7:
        return int(value.strip())
    raise WebInputError(f"{name} must be a whole number of seconds")


def _group_change(index: int, changes: dict[str, Any]) -> Change:
    def change(document: TOMLDocument) -> None:
        groups = document.get("ring_groups", [])
        if not 0 <= index < len(groups):
            raise web.HTTPNotFound(text=f"no such ring group: {index + 1}")
        for key, value in changes.items():
            groups[index][key] = value
    return change


async def ring_group(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/ring-groups/{id}: members, strategy and ring_timeout of group {id}."""
    index = forms.path_number(request, "id") - 1
    fields = await forms.submitted(request)
    changes: dict[str, Any] = {}
    if "members" in fields:
        changes["members"] = _logins(fields)
    if "strategy" in fields:
        changes["strategy"] = forms.text(fields, "strategy", max_chars=40)
    if "ring_timeout" in fields:
        changes["ring_timeout"] = _seconds(fields, "ring_timeout")
    if not changes:
        raise WebInputError("give members, strategy or ring_timeout")
    return await _apply(request, _group_change(index, changes))


async def _apply(request: web.Request, change: Change) -> web.StreamResponse:
    """Write the change through the real loader; problems come back next to the form."""
    backend = request.app[BACKEND]
    try:
        await asyncio.to_thread(edit_config, backend.config_path, change)
    except ConfigReadOnly as error:
        raise web.HTTPConflict(text=str(error)) from None
    except ConfigError as error:
        if wants_json(request):
            return web.json_response({"error": "the change was not saved",
                                      "problems": error.problems}, status=400)
        from appliance.web.admin_views import settings_response

        return settings_response(request, problems=error.problems, status=400)
    if wants_json(request):
        return web.json_response({"ok": True, "restart_needed": True})
    raise web.HTTPSeeOther("/admin/settings?saved=1")
