"""Logging in and out, the login wall in front of every page, and the brake on password guessing."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from aiohttp import web

from appliance.web.frame.app_keys import (
    BACKEND,
    SECURE_COOKIES,
    SESSION,
    SESSIONS,
    SETUP_DONE,
    THROTTLE,
    WALL,
)
from appliance.web.frame.cookie_header import cookie_named
from appliance.web.frame.csrf import LOGIN_NONCE_COOKIE, SAFE_METHODS, login_token, refuse_forged
from appliance.web.frame.errors import WebInputError
from appliance.web.frame.forms import submitted, text
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import COOKIE_NAME, NOT_CACHED, Session, SignedIn
from appliance.web.frame.store_backend import NOT_KNOWN
from appliance.web.frame.wall_gate import wall_gate
from appliance.web.frame.wall_screens import WALL_COOKIE

PUBLIC_PREFIXES = ("/login", "/static/", "/api/login", "/language", "/wall/pair")
ADMIN_PREFIXES = ("/admin", "/api/admin", "/quarantine", "/api/quarantine", "/setup/")
FIELD_MAX = 200  # longer logins or passwords are refused unread
NEXT_MAX = 2000  # a longer `next` is no page of ours

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def safe_next(target: str) -> str:
    """`target` when it is a path on this box, else "/" (no open redirect).

    Parsed, not pattern-matched: no scheme, no host, no control character or backslash
    (browsers drop tabs and newlines and read `\\` as `/`, so `/<TAB>/evil` and `/\\evil`
    are hosts to them), and none of these hidden behind percent-encoding either.
    """
    if not target.startswith("/") or len(target) > NEXT_MAX:
        return "/"
    for form in (target, unquote(target)):
        if any(ord(c) < 0x20 or c in "\\\x7f" for c in form) or form.startswith("//"):
            return "/"
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return "/"
    return target


def _session_in_memory(app: web.Application, cookie: str) -> Any:
    """The live session (or None) from memory alone; NOT_CACHED when the store must be asked.

    Most requests end here: no coroutine, no store thread.
    """
    found = app[SESSIONS].find_cached(cookie)
    if found is None or found is NOT_CACHED:
        return found
    changed = app[BACKEND].recent_password_change(found.who.agent_id)
    if changed is NOT_KNOWN:
        return NOT_CACHED
    return _unless_password_changed(app, found, changed)


async def _session_from_store(app: web.Application, cookie: str) -> Session | None:
    """The live session (or None) after reading the store: its row, or its password's time."""
    sessions = app[SESSIONS]
    found = sessions.find_cached(cookie)
    session: Session | None = await sessions.load(cookie) if found is NOT_CACHED else found
    if session is None:
        return None
    changed = await app[BACKEND].password_changed_at(session.who.agent_id)
    return _unless_password_changed(app, session, changed)


def _unless_password_changed(app: web.Application, session: Session,
                             changed: datetime | None) -> Session | None:
    """The session, or None (and ended) when its password changed since it began."""
    if changed is None or changed > session.started_at:
        # account removed, deactivated or given a new password: this login is over
        app[SESSIONS].end(session)
        return None
    return session


def _refused(request: web.Request, app: web.Application,
             session: Session | None) -> web.StreamResponse | None:
    """Without a session only the login page: pages redirect, JSON answers 401; admin areas."""
    path = request.path
    if session is None:
        if path.startswith(PUBLIC_PREFIXES) or (path == "/setup" and not app[SETUP_DONE]):
            return None
        wants_json = "application/json" in request.headers.get("Accept", "")
        if path.startswith("/api/") or wants_json:
            return web.json_response({"error": "login required"}, status=401)
        target = "/login"
        if request.method == "GET" and path != "/":
            target += "?" + urlencode({"next": request.path_qs})
        raise web.HTTPFound(target)
    if path.startswith(ADMIN_PREFIXES) and not session.who.is_admin:
        raise web.HTTPForbidden(text="Only an admin may do this.")
    return None


@web.middleware
async def gate_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every request's session, CSRF check and login wall, in one step.

    One middleware rather than three: each request passes here, and each
    middleware is another coroutine per request. The order is the old one:
    the session is found, a state-changing request without the right token is
    refused (403), then every page but the login page needs a session.
    """
    app = request.app
    cookie = cookie_named(request, COOKIE_NAME)
    session = _session_in_memory(app, cookie)
    if session is NOT_CACHED:
        session = await _session_from_store(app, cookie)
    request[SESSION] = session
    request[WALL] = None
    if session is None:
        wall_cookie = cookie_named(request, WALL_COOKIE)
        if wall_cookie:
            answer = await wall_gate(request, handler, wall_cookie)
            if answer is not None:
                return answer
    if request.method not in SAFE_METHODS:
        await refuse_forged(request)
    refused = _refused(request, app, session)
    if refused is not None:
        return refused
    return await handler(request)


async def login_page(request: web.Request) -> web.StreamResponse:
    """GET /login: the form (or straight to the queue when already logged in)."""
    if request[SESSION] is not None:
        raise web.HTTPFound("/")
    return _login_form(request, error="", login="", status=200)


def _login_form(request: web.Request, *, error: str, login: str, status: int) -> web.Response:
    response = web.Response(status=status)
    token = login_token(request, response)
    page = render(request, "login.html", csrf_token=token, error=error, login=login,
                  next=safe_next(request.query.get("next", "/")), status=status)
    page.cookies.update(response.cookies)
    return page


async def _check_login(request: web.Request, login: str, password: str) -> SignedIn | float:
    """The account, or the seconds to wait (0.0: wrong login or password)."""
    brake = request.app[THROTTLE]
    address = request.remote or "?"
    wait = brake.wait_for(login, address)
    if wait > 0:
        return wait
    # Counted as failed before the slow password check, so that guesses sent in
    # parallel meet the brake too; taken back below when the password is right.
    brake.failed(login, address)
    who = None
    if login and password and len(login) <= FIELD_MAX and len(password) <= FIELD_MAX:
        who = await request.app[BACKEND].authenticate(login, password)
    if who is None:
        return 0.0
    brake.succeeded(login, address)
    return who


def start_session(request: web.Request, who: SignedIn, response: web.StreamResponse) -> Session:
    """A fresh session for `who`, its cookie set on `response`; its row is queued to the store.

    Await `request.app[SESSIONS].saved(session)` before answering to know it is stored.
    """
    sessions = request.app[SESSIONS]
    old = request[SESSION]
    if old is not None:
        sessions.end(old)
    session = sessions.create(who)
    response.set_cookie(COOKIE_NAME, sessions.cookie_value(session), httponly=True,
                        samesite="Strict", path="/", secure=request.app[SECURE_COOKIES])
    response.del_cookie(LOGIN_NONCE_COOKIE, path="/")
    return session


async def login_submit(request: web.Request) -> web.StreamResponse:
    """POST /login: check the password, start a session, go to the queue."""
    form = await request.post()
    login = str(form.get("login", "")).strip()
    password = str(form.get("password", ""))
    t = translator(language_of(request))
    outcome = await _check_login(request, login, password)
    if isinstance(outcome, float):
        if outcome > 0:
            minutes = max(1, math.ceil(outcome / 60))
            page = _login_form(request, login=login, status=429,
                               error=t("Too many failed logins. Try again in {minutes} min.",
                                       minutes=minutes))
            page.headers["Retry-After"] = str(math.ceil(outcome))
            return page
        return _login_form(request, login=login, status=401, error=t("Wrong login or password."))
    response = web.HTTPSeeOther(safe_next(str(form.get("next", "/"))))
    await request.app[SESSIONS].saved(start_session(request, outcome, response))
    raise response


async def api_login_token(request: web.Request) -> web.StreamResponse:
    """GET /api/login: a token for POST /api/login (and its nonce cookie)."""
    response = web.json_response({})
    token = login_token(request, response)
    response.text = json.dumps({"csrf_token": token})
    return response


async def api_login(request: web.Request) -> web.StreamResponse:
    """POST /api/login {login, password}: a session cookie and the session's CSRF token."""
    fields = await submitted(request)
    login = text(fields, "login", max_chars=FIELD_MAX)
    password = fields.get("password")
    if not isinstance(password, str) or not password:
        raise WebInputError("password is required")
    outcome = await _check_login(request, login, password)
    if isinstance(outcome, float):
        if outcome > 0:
            return web.json_response({"error": "too many failed logins"}, status=429,
                                     headers={"Retry-After": str(math.ceil(outcome))})
        return web.json_response({"error": "wrong login or password"}, status=401)
    response = web.json_response({})
    session = start_session(request, outcome, response)
    await request.app[SESSIONS].saved(session)
    response.text = json.dumps({"csrf_token": session.csrf_token, "agent_id": outcome.agent_id,
                                "role": outcome.role})
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    """POST /logout: end the session on the box and in the browser."""
    session = request[SESSION]
    if session is not None:
        await request.app[SESSIONS].end(session)
    response: web.Response = (web.json_response({"ok": True})
                              if request.path.startswith("/api/") else web.HTTPSeeOther("/login"))
    response.del_cookie(COOKIE_NAME, path="/")
    if isinstance(response, web.HTTPException):
        raise response
    return response


async def recheck_password(request: web.Request, login: str, password: str) -> bool:
    """True when `password` is this login's; braked like the login form."""
    return not isinstance(await _check_login(request, login, password), float)
