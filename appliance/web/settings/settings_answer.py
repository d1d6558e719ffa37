"""One answer for every settings form: saved (and put to work), refused as typed, or read-only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from aiohttp import web

from appliance.config.schema import ConfigError
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.settings.config_edit import Change, ConfigReadOnly, edit_config
from appliance.web.settings.settings_views import Refused, settings_response

log = logging.getLogger("aspa.web.settings")

REFUSED_STATUS = 400
_ANCHORS = {"new_desk_unit": "desk-units"}  # forms that sit in another form's section


async def save(request: web.Request, change: Change, *, section: str,
               typed: dict[str, Any] | None = None,
               secret_files: Mapping[str, str] | None = None) -> web.StreamResponse | None:
    """Write the change through the real loader: None when saved, else the refusal to send.

    `section` names the form and `typed` holds what the admin typed into it (never a
    secret), shown back next to the form with the loader's problems.
    """
    path = request.app[BACKEND].config_path
    problems = await edit_and_apply(request, partial(edit_config, path, change, secret_files))
    if problems is not None:
        return await refusal(request, Refused(section, typed or {}, problems))
    return None


async def run_edit(edit: Callable[[], None]) -> list[str] | None:
    """Run a blocking aspa.toml edit in a thread: the loader's problems if refused, else None.

    A box without aspa.toml answers 409 (ConfigReadOnly).
    """
    try:
        await asyncio.to_thread(edit)
    except ConfigReadOnly as error:
        raise web.HTTPConflict(text=str(error)) from None
    except ConfigError as error:
        return error.problems
    return None


async def edit_and_apply(request: web.Request, edit: Callable[[], None]) -> list[str] | None:
    """run_edit, then put the saved file to work (only the parts it concerns restart)."""
    problems = await run_edit(edit)
    if problems is None:
        backend = request.app[BACKEND]
        try:
            await backend.settings_saved()
        except ConfigError as error:  # changed again by hand meanwhile: it waits for a restart
            log.warning("saved settings not applied: %s", "; ".join(error.problems))
    return problems


async def refusal(request: web.Request, refused: Refused) -> web.StreamResponse:
    """HTTP 400: the problems as JSON, or the settings page with the form as it was typed."""
    if wants_json(request):
        return web.json_response({"error": "the change was not saved",
                                  "problems": refused.problems}, status=REFUSED_STATUS)
    return await settings_response(request, refused=refused, status=REFUSED_STATUS)


def saved(request: web.Request, section: str) -> web.StreamResponse:
    """The answer to a saved change: JSON, or back to the page at the form's section."""
    if wants_json(request):
        return web.json_response({"ok": True,
                                  "restart_needed": request.app[BACKEND].restart_needed()})
    name = section.partition("/")[0]
    anchor = _ANCHORS.get(name, name.replace("_", "-"))
    raise web.HTTPSeeOther(f"/admin/settings?saved=1#{anchor}")


async def apply(request: web.Request, change: Change, *, section: str,
                typed: dict[str, Any] | None = None,
                secret_files: Mapping[str, str] | None = None) -> web.StreamResponse:
    """Save the change and answer: saved, or refused as typed."""
    refused = await save(request, change, section=section, typed=typed,
                         secret_files=secret_files)
    return refused if refused is not None else saved(request, section)
