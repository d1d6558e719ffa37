"""The restart button: a clean stop that systemd turns into a start, and a page that waits."""

from __future__ import annotations

import asyncio

from aiohttp import web

from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.frame.rendering import render

ANSWER_FIRST_S = 0.5  # the page (or JSON) reaches the browser before the daemon stops


async def restart(request: web.Request) -> web.StreamResponse:
    """POST /admin/restart: stop the daemon for systemd to start again."""
    await forms.submitted(request)  # the CSRF token was checked on the way in
    backend = request.app[BACKEND]
    live = backend.live
    if live is None:
        raise web.HTTPConflict(text="this box was not started as a service: restart it by hand")
    asyncio.get_running_loop().call_later(ANSWER_FIRST_S, live.restart_daemon)
    if wants_json(request):
        return web.json_response({"restarting": True, "boot": backend.boot_id}, status=202)
    return render(request, "restarting.html", boot_id=backend.boot_id, status=202)


async def restart_state(request: web.Request) -> web.StreamResponse:
    """GET /admin/restart/state: which start of the daemon answers (the waiting page polls)."""
    return web.json_response({"boot": request.app[BACKEND].boot_id},
                             headers={"Cache-Control": "no-store"})
