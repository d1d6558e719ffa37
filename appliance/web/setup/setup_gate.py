"""The setup wall: while no admin exists, every request but setup's own goes to /setup.

Kept apart from the setup pages (setup_wall.py): the wall runs on every request,
the pages only at first boot and are imported when first asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from appliance.web.frame.app_keys import BACKEND, SETUP_DONE
from appliance.web.frame.errors import wants_json

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
OPEN_DURING_SETUP = ("/setup", "/static/", "/language")


async def setup_done(request: web.Request) -> bool:
    """True once an admin exists (remembered: the wall never goes up again)."""
    done = request.app[SETUP_DONE]
    if not done and await request.app[BACKEND].admin_exists():
        done.append(True)  # once an admin exists the wall is down for good
    return bool(done)


@web.middleware
async def setup_wall_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """While no admin exists, send every request to the setup page."""
    # the list is filled once an admin exists: most requests need no coroutine here
    if request.app[SETUP_DONE] or await setup_done(request) or request.path.startswith(
            OPEN_DURING_SETUP):
        return await handler(request)
    if wants_json(request):
        return web.json_response({"error": "the box is not set up yet: open /setup"}, status=503)
    raise web.HTTPFound("/setup")
