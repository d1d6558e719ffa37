"""What a paired wall screen may do: look at the wallboard and its live stream, nothing else.

A browser with a wall screen's cookie and no login session gets the wallboard
(page, figures, event stream) and the public files; every other page and every
POST answers 403. A screen revoked since shows "this screen was unpaired"
rather than a login form, so whoever looks at the TV knows what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from appliance.web.frame.app_keys import WALL, WALLS
from appliance.web.frame.csrf import SAFE_METHODS
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.rendering import render

WALL_PATHS = frozenset({"/wallboard", "/api/wallboard", "/events"})
WALL_PUBLIC_PREFIXES = ("/static/", "/wall/pair", "/login", "/api/login")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json_wanted(request: web.Request) -> bool:
    return request.path.startswith("/api/") or (
        "application/json" in request.headers.get("Accept", ""))


def _refused(request: web.Request) -> web.StreamResponse:
    t = translator(language_of(request))
    text = t("A wall screen shows only the wallboard.")
    if _json_wanted(request):
        return web.json_response({"error": text}, status=403)
    return render(request, "wall_refused.html", status=403, message=text)


def unpaired(request: web.Request) -> web.StreamResponse:
    """The answer to a revoked screen: 403 with a plain message, not a login form."""
    if _json_wanted(request) or request.path == "/events":
        return web.json_response({"error": "this screen was unpaired"}, status=403)
    return render(request, "wall_unpaired.html", status=403, wall=True)  # no forms to offer


async def wall_gate(request: web.Request, handler: Handler,
                    cookie: str) -> web.StreamResponse | None:
    """The answer for a browser with a wall cookie and no login; None: the login wall decides."""
    walls = request.app[WALLS]
    screen = await walls.find(cookie)
    if screen is None:
        if request.path in WALL_PATHS and walls.issued_here(cookie):
            return unpaired(request)
        return None  # forged or unknown: as if there were no such cookie
    request[WALL] = screen
    if request.method in SAFE_METHODS and (
            request.path in WALL_PATHS or request.path.startswith(WALL_PUBLIC_PREFIXES)):
        return await handler(request)
    return _refused(request)
