"""The admin's forms for what the box keeps: scheduled backups and the retention policy."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from aiohttp import web

from appliance.config.sections.retention import RetentionSettings
from appliance.web.frame import forms
from appliance.web.frame.errors import WebInputError
from appliance.web.settings import setting_fields
from appliance.web.settings.settings_answer import apply
from appliance.web.settings.toml_values import section_change

if TYPE_CHECKING:
    pass

TARGET_MAX = 500
AT_MAX = 16  # "02:30" is 5; up to this the loader names what is wrong, beyond it the form
RETENTION_KEYS = tuple(f.name for f in dataclasses.fields(RetentionSettings))



async def backup_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/backup: `target` folder (empty = none), `at` (HH:MM), `keep`,
    `require_mount`."""
    fields = await forms.submitted(request)
    changes: dict[str, Any] = {}
    if "target" in fields:
        changes["target"] = forms.text(fields, "target", max_chars=TARGET_MAX, required=False)
    if "at" in fields:
        changes["at"] = forms.text(fields, "at", max_chars=AT_MAX, required=False)
    if "keep" in fields:
        changes["keep"] = setting_fields.number(fields, "keep")
    if "require_mount" in fields:
        changes["require_mount"] = setting_fields.flag(fields, "require_mount")
    if not changes:
        raise WebInputError("give target, at, keep or require_mount")
    typed: dict[str, Any] = {key: setting_fields.typed_text(fields, key)
                             for key in ("target", "at", "keep") if key in changes}
    if "require_mount" in changes:
        typed["require_mount"] = changes["require_mount"] is True
    return await apply(request, section_change("backup", changes), section="backup",
                       typed=typed)


async def retention_settings(request: web.Request) -> web.StreamResponse:
    """POST /admin/settings/retention: days each kind of data is kept (0 = for ever)."""
    fields = await forms.submitted(request)
    changes = {key: setting_fields.number(fields, key) for key in RETENTION_KEYS
               if key in fields}
    if not changes:
        raise WebInputError(f"give one of {', '.join(RETENTION_KEYS)}")
    typed = {key: setting_fields.typed_text(fields, key) for key in changes}
    return await apply(request, section_change("retention", changes), section="retention",
                       typed=typed)
