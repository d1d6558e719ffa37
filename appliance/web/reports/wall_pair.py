"""GET /wall/pair: the TV's side of pairing a wall screen (the link, or its code typed in).

A GET, not a POST: the link is opened on the TV (typed, or from a QR code), and the
one-time code itself is the secret that a forged request would not know. The answer
is a page that moves on to the wallboard by itself (a same-site navigation), so the
SameSite=Strict cookie set here is sent with it, however the link was opened.
"""

from __future__ import annotations

from aiohttp import web

from appliance.web.frame.app_keys import SECURE_COOKIES, SESSION, SESSIONS, WALLS
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import COOKIE_NAME
from appliance.web.frame.wall_screens import WALL_COOKIE

COOKIE_MAX_AGE_S = 10 * 365 * 24 * 3600  # the browser keeps it; only a revocation ends it


async def wall_pair(request: web.Request) -> web.StreamResponse:
    """GET /wall/pair[?code=...]: pair this browser as a wall screen, or ask for the code."""
    code = request.query.get("code", "").strip()
    if not code:
        return render(request, "wall_pair.html", paired=False, failed=False, wall=True)
    cookie = await request.app[WALLS].pair(code)
    if cookie is None:
        return render(request, "wall_pair.html", paired=False, failed=True, status=400,
                      wall=True)
    response = render(request, "wall_pair.html", paired=True, failed=False, wall=True)
    response.set_cookie(WALL_COOKIE, cookie, httponly=True, samesite="Strict", path="/",
                        max_age=COOKIE_MAX_AGE_S, secure=request.app[SECURE_COOKIES])
    session = request[SESSION]
    if session is not None:  # a TV someone logged in on first: it becomes read-only now
        request.app[SESSIONS].end(session)
        response.del_cookie(COOKIE_NAME, path="/")
    return response
