"""Admin form posts that change aspa.toml: SIM PIN, business hours, holidays, half days,
ring groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.config.sections.business_hours import WEEKDAYS
from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.config_edit import Change
from appliance.web.settings.settings_answer import apply
from appliance.web.settings.toml_values import set_value, table, text_array

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

PIN_MAX = 16  # the loader checks the digits
HOURS_MAX = 200  # characters of one day's intervals


def pin_change(index: int, pin: str) -> Change:
    """Modem `index`'s SIM PIN (0 = the first); an empty PIN removes it."""
    def change(document: TOMLDocument) -> None:
        modems = document.get("gsm", {}).get("modems", [])
        if not 0 <= index < len(modems):
            raise web.HTTPNotFound(text=f"no such modem: {index + 1}")
        if pin:
            set_value(modems[index], "pin", pin)
        elif "pin" in modems[index]:
            del modems[index]["pin"]
    return change


async def modem_pin(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/modems/{id}/pin: modem {id}'s SIM PIN (1 = the first); empty = none."""
    number = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    pin = forms.text(fields, "pin", max_chars=PIN_MAX, required=False)
    # A refused PIN is shown back in the answer to this post only, to be corrected.
    return await apply(request, pin_change(number - 1, pin), section=f"modems/{number}",
                       typed={"typed_pin": pin})


def _hours_change(week: dict[str, list[str]]) -> Change:
    def change(document: TOMLDocument) -> None:
        import tomlkit

        hours = table(document, "business_hours")
        if "weekly" not in hours:
            hours["weekly"] = tomlkit.table()
        for day, intervals in week.items():
            set_value(hours["weekly"], day, intervals)
    return change


async def business_hours(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/business-hours: the weekly opening hours (fields mon … sun)."""
    fields = await forms.submitted(request)
    week = {day: setting_fields.text_list(fields, day, max_chars=HOURS_MAX,
                                         items="'HH:MM-HH:MM' texts")
            for day in WEEKDAYS if day in fields}
    if not week:
        raise WebInputError(f"give at least one weekday: {', '.join(WEEKDAYS)}")
    typed = {day: setting_fields.typed_text(fields, day) for day in week}
    return await apply(request, _hours_change(week), section="weekly", typed=typed)


def _holidays_change(days: list[str]) -> Change:
    def change(document: TOMLDocument) -> None:
        set_value(table(document, "business_hours"), "holidays", text_array(days))
    return change


async def holidays(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/holidays: the days the office is closed ("2026-12-24", …)."""
    fields = await forms.submitted(request)
    if "holidays" not in fields:
        raise WebInputError("give holidays: dates like 2026-12-24 (none = empty)")
    days = setting_fields.text_list(fields, "holidays")
    typed = {"holidays": "\n".join(days)}
    return await apply(request, _holidays_change(days), section="holidays", typed=typed)


def _half_days_change(days: list[str]) -> Change:
    def change(document: TOMLDocument) -> None:
        set_value(table(document, "business_hours"), "half_days", text_array(days))
    return change


async def half_days(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/half-days: days with shorter hours, one a line ("12-24 08:00-12:00")."""
    fields = await forms.submitted(request)
    if "half_days" not in fields:
        raise WebInputError("give half_days: lines like 12-24 08:00-12:00 (none = empty)")
    days = setting_fields.text_lines(fields, "half_days")
    typed = {"half_days": "\n".join(days)}
    return await apply(request, _half_days_change(days), section="half_days", typed=typed)


def _group_change(index: int, changes: dict[str, Any]) -> Change:
    def change(document: TOMLDocument) -> None:
        groups = document.get("ring_groups", [])
        if not 0 <= index < len(groups):
            raise web.HTTPNotFound(text=f"no such ring group: {index + 1}")
        for key, value in changes.items():
            set_value(groups[index], key, value)
    return change


async def ring_group(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/ring-groups/{id}: members, strategy and ring_timeout of group {id}."""
    number = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    changes: dict[str, Any] = {}
    if "members" in fields:
        changes["members"] = setting_fields.text_list(fields, "members")
    if "strategy" in fields:
        changes["strategy"] = forms.text(fields, "strategy", max_chars=40)
    if "ring_timeout" in fields:
        changes["ring_timeout"] = setting_fields.number(fields, "ring_timeout")
    if not changes:
        raise WebInputError("give members, strategy or ring_timeout")
    typed = {key: setting_fields.typed_text(fields, key) for key in changes}
    return await apply(request, _group_change(number - 1, changes),
                       section=f"ring_groups/{number}", typed=typed)
