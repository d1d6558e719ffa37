"""The admin's form for what callers are told and how calls are handled: [calls], [queue]."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.caller_form import (
    CHOICES,
    FIELDS,
    FLAGS,
    GROUP,
    NUMBERS,
    RETRIES,
    SMS_TEXTS,
)
from appliance.web.settings.config_edit import Change
from appliance.web.settings.settings_answer import apply, refusal
from appliance.web.settings.settings_views import Refused
from appliance.web.settings.toml_values import section_change

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

SMS_MAX = 459  # three SMS parts of 153 GSM-7 characters: a text to a caller stays short
CHOICE_MAX = 64  # language, waiting_calls, a ring group's name: the loader names the rest


def _calls_changes(fields: forms.Fields, problems: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in SMS_TEXTS:
        if name in fields:
            changes[name] = setting_fields.checked_text(
                fields, name, key=f"calls.{name}", max_chars=SMS_MAX, problems=problems)
    for name in CHOICES:
        if name in fields:
            changes[name] = setting_fields.checked_text(
                fields, name, key=f"calls.{name}", max_chars=CHOICE_MAX, problems=problems)
    changes.update({name: setting_fields.flag(fields, name) for name in FLAGS if name in fields})
    changes.update({name: setting_fields.number(fields, name)
                    for name in NUMBERS if name in fields})
    if RETRIES in fields:
        changes[RETRIES] = setting_fields.number_list(fields, RETRIES)
    return changes


def _change(calls: dict[str, Any], queue: dict[str, Any]) -> Change:
    def change(document: TOMLDocument) -> None:
        if calls:
            section_change("calls", calls)(document)
        if queue:
            section_change("queue", queue)(document)
    return change


def _typed(fields: forms.Fields, changes: dict[str, Any]) -> dict[str, Any]:
    """What the admin typed, to show back: texts as typed, checkboxes as ticked."""
    return {name: changes[name] is True if name in FLAGS
            else setting_fields.typed_text(fields, name) for name in changes}


async def caller_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/callers: the SMS texts to callers (fi, en), when they are sent,
    the waiting caller's announcements and keypad menu, callbacks' retry minutes (a comma
    list) and the ring group that answers first. Fields left out stay as they are."""
    fields = await forms.submitted(request)
    problems: list[str] = []
    calls = _calls_changes(fields, problems)
    queue: dict[str, Any] = {}
    if GROUP in fields:
        queue[GROUP] = setting_fields.checked_text(
            fields, GROUP, key=f"queue.{GROUP}", max_chars=CHOICE_MAX, problems=problems)
    if not calls and not queue:
        raise WebInputError(f"give one of {', '.join(FIELDS)}")
    typed = _typed(fields, {**calls, **queue})
    if problems:
        return await refusal(request, Refused("callers", typed, problems))
    return await apply(request, _change(calls, queue), section="callers", typed=typed)
