"""The admin's wall screens: name one and get its one-time pairing link; revoke one; see them."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, LIVE, WALLS
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render
from appliance.web.frame.wall_rows import WallScreenRow
from appliance.web.frame.wall_screens import NAME_MAX


def _as_json(row: WallScreenRow) -> dict[str, Any]:
    def moment(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {"id": row.screen_id, "name": row.name, "created_at": moment(row.created_at),
            "paired_at": moment(row.paired_at), "last_seen_at": moment(row.last_seen_at),
            "pairing_until": moment(row.pairing_until)}


async def _page(request: web.Request, *, status: int = 200, **shown: Any) -> web.StreamResponse:
    screens = await request.app[WALLS].listed()
    if wants_json(request) and status == 200:
        return web.json_response({"screens": [_as_json(s) for s in screens]})
    context = {"new_link": "", "new_code": "", "new_name": "", "typed": "", "problem": "",
               "revoked": request.query.get("revoked") == "1"}
    context.update(shown)
    return render(request, "admin_wall_screens.html", status=status, screens=screens,
                  now=request.app[BACKEND].clock.now(), **context)


async def wall_screens_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/wall-screens (or /api/admin/wall-screens): the screens and a form for one more."""
    return await _page(request)


async def wall_screen_add(request: web.Request) -> web.StreamResponse:
    """POST /admin/wall-screens: a named screen and its pairing link, shown in this answer only."""
    fields = await forms.submitted(request)
    try:
        name = forms.text(fields, "name", max_chars=NAME_MAX)
    except FieldError as error:
        if wants_json(request):
            raise
        typed = fields.get("name", "")
        return await _page(request, status=400,
                           typed=typed[:NAME_MAX] if isinstance(typed, str) else "",
                           problem=field_error_text(error, translator(language_of(request))))
    screen_id, code = await request.app[WALLS].add(name)
    link = f"{request.scheme}://{request.host}/wall/pair?code={code}"
    if wants_json(request):
        return web.json_response({"id": screen_id, "code": code, "link": link})
    return await _page(request, new_link=link, new_code=code, new_name=name)


async def wall_screen_revoke(request: web.Request) -> web.StreamResponse:
    """POST /admin/wall-screens/{id}/revoke: the screen shows "unpaired" from now on."""
    screen_id = forms.path_number(request, "id")
    if not await request.app[WALLS].revoke(screen_id):
        raise web.HTTPNotFound(text=f"no such wall screen: {screen_id}")
    request.app[LIVE].unpair(screen_id)  # its open wallboard says so at once
    if wants_json(request):
        return web.json_response({"ok": True})
    raise web.HTTPSeeOther("/admin/wall-screens?revoked=1")
