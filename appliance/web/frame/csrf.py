"""Cross-site request forgery: every POST carries a token only our own pages know.

Synchronizer tokens (OWASP CSRF Prevention Cheat Sheet): a logged-in
browser's token is bound to its session; before login, to a random nonce in
its own cookie, so the login form is covered too. SameSite=Strict cookies
(RFC 6265bis §5.4.7) are a second wall, not the only one.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web

from appliance.web.frame.app_keys import SECRET_KEY, SECURE_COOKIES, SESSION
from appliance.web.frame.sessions import sign

LOGIN_NONCE_COOKIE = "aspa_login"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def login_token(request: web.Request, response: web.StreamResponse) -> str:
    """The login form's token; sets the nonce cookie when the browser has none yet."""
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE, "")
    if len(nonce) < 16:
        nonce = secrets.token_urlsafe(24)
        response.set_cookie(
            LOGIN_NONCE_COOKIE, nonce, httponly=True, samesite="Strict", path="/",
            secure=request.app[SECURE_COOKIES],
        )
    return sign(request.app[SECRET_KEY], "login:" + nonce)


def _expected(request: web.Request) -> str | None:
    session = request.get(SESSION)
    if session is not None:
        return str(session.csrf_token)
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE, "")
    if len(nonce) < 16:
        return None
    return sign(request.app[SECRET_KEY], "login:" + nonce)


async def _submitted(request: web.Request) -> str:
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(FORM_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def refuse_forged(request: web.Request) -> None:
    """Refuse (403) a state-changing request without the right token."""
    expected = _expected(request)
    submitted = await _submitted(request)
    if expected is None or not submitted or not hmac.compare_digest(submitted, expected):
        raise web.HTTPForbidden(text="The form has expired or did not come from this page. "
                                     "Reload the page and try again.")
