"""The aiohttp application: middlewares, shared parts and the security headers of every response."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from appliance.spine.clock import Clock
from appliance.web.connection_guard import WebLimits, body_deadline
from appliance.web.frame import auth
from appliance.web.frame.app_keys import (
    BACKEND,
    LIVE,
    QUEUE_CACHE,
    SECRET_KEY,
    SECURE_COOKIES,
    SESSIONS,
    SETUP_DONE,
    THROTTLE,
    VIEWERS,
    WALLS,
)
from appliance.web.frame.errors import error_middleware
from appliance.web.frame.live import LiveHub
from appliance.web.frame.login_brake import FORGET_AFTER, LoginBrake
from appliance.web.frame.login_brake_rows import load_brakes, save_brake
from appliance.web.frame.sessions import SessionStore
from appliance.web.frame.store_backend import StoreWebBackend
from appliance.web.frame.wall_screens import WallScreens
from appliance.web.routes import add_routes
from appliance.web.setup.setup_gate import setup_wall_middleware
from appliance.web.tickets.queue_cache import QueueCache
from appliance.web.tickets.viewers import Viewers

log = logging.getLogger("aspa.web")

# No inline script or style anywhere: the page works under this policy (CSP Level 3).
# frame-src 'self': only our own sanitised mail view, itself sandboxed, may be framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
BODY_MAX_BYTES = 256 * 1024  # replies and notes fit; anything larger is refused with 413


_PAGE_HEADERS = [*SECURITY_HEADERS.items(), ("Cache-Control", "no-store")]


async def _finish_response(request: web.Request, response: web.StreamResponse) -> None:
    """Security headers on every response; after a POST, the cached queue views go."""
    # on_response_prepare also reaches error pages and redirects raised as exceptions;
    # a handler that set its own, stricter frame rules (the mail view) keeps them.
    headers = response.headers
    if "Content-Security-Policy" not in headers and "Cache-Control" not in headers and (
            not request.path.startswith("/static/")):
        headers.extend(_PAGE_HEADERS)  # the usual case, in one call
    else:
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if not request.path.startswith("/static/"):
            headers["Cache-Control"] = "no-store"
    # Any accepted POST may have changed what the queue shows (a priority, an agent...).
    if request.method == "POST":
        request.app[QUEUE_CACHE].bump()


def make_app(
    backend: StoreWebBackend,
    *,
    secret_key: bytes,
    clock: Clock,
    session_idle: timedelta = timedelta(hours=12),
    session_lifetime: timedelta = timedelta(days=30),
    secure_cookies: bool = False,
    body_seconds: float = WebLimits.body_seconds,
) -> web.Application:
    """The web page's application, ready for an AppRunner or aiohttp's test client."""
    app = web.Application(
        # The setup wall needs no session: it goes first, so the session, the CSRF
        # check and the login wall can be one middleware (one coroutine) after it.
        middlewares=[error_middleware, body_deadline(body_seconds), setup_wall_middleware,
                     auth.gate_middleware],
        client_max_size=BODY_MAX_BYTES,
    )
    app[BACKEND] = backend
    app[SECRET_KEY] = secret_key
    app[SECURE_COOKIES] = secure_cookies
    app[SESSIONS] = SessionStore(secret_key, clock, backend.store, idle=session_idle,
                                 lifetime=session_lifetime)
    app[WALLS] = WallScreens(secret_key, clock, backend.store)
    app[THROTTLE] = LoginBrake(clock, save=_brake_saver(backend))
    app[QUEUE_CACHE] = QueueCache()
    app[LIVE] = LiveHub(on_change=app[QUEUE_CACHE].bump)
    app[VIEWERS] = Viewers()
    app[SETUP_DONE] = []
    app.on_response_prepare.append(_finish_response)
    app.on_startup.append(_attach_live)
    app.on_startup.append(_purge_sessions)
    app.on_startup.append(_load_brakes)
    app.on_shutdown.append(_detach_live)
    add_routes(app.router)
    return app


async def _attach_live(app: web.Application) -> None:
    app[LIVE].attach(app[BACKEND].bus, app[BACKEND].board.caught_up)
    app[LIVE].pages = getattr(app[BACKEND], "open_pages", None)


async def _purge_sessions(app: web.Application) -> None:
    await app[SESSIONS].purge_expired()  # those that ended while the box was off


def _brake_saver(backend: StoreWebBackend) -> Callable[[str, int, datetime | None], None]:
    def save(key: str, failures: int, last: datetime | None) -> None:
        backend.store.submit(save_brake, key, failures, last).add_done_callback(_log_failure)
    return save


def _log_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("a login brake was not stored: %s", future.exception())


async def _load_brakes(app: web.Application) -> None:
    """The failed logins counted before a restart still count."""
    since = app[BACKEND].clock.now() - FORGET_AFTER
    app[THROTTLE].load(await app[BACKEND].store.call(load_brakes, since))


async def _detach_live(app: web.Application) -> None:
    app[LIVE].detach()
    for client in list(app[LIVE].clients):
        client.lagging = True  # ends each open stream at its next wake-up
        client.offer({"kind": "bye"})
