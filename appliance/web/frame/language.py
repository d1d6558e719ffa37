"""Choosing the page language: kept on the account when logged in, in a cookie before."""

from __future__ import annotations

from aiohttp import web

from appliance.store.models import Agent
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SECURE_COOKIES, SESSION, SESSIONS
from appliance.web.frame.auth import safe_next
from appliance.web.frame.i18n import LANGUAGE_COOKIE, LANGUAGES

YEAR_S = 365 * 24 * 3600


def _save(agent_id: int, language: str) -> None:
    Agent.update(language=language).where(Agent.id == agent_id).execute()


async def choose_language(request: web.Request) -> web.StreamResponse:
    """POST /language {language, next}: show the pages in Finnish or English."""
    fields = await forms.submitted(request)
    language = forms.choice(fields, "language", LANGUAGES)
    session = request[SESSION]
    if session is not None:
        await request.app[BACKEND].store.call(_save, session.who.agent_id, language)
        request.app[SESSIONS].rename_language(session.who.agent_id, language)
    response = web.HTTPSeeOther(safe_next(str(fields.get("next") or "/")))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=YEAR_S, httponly=True,
                        samesite="Strict", path="/", secure=request.app[SECURE_COOKIES])
    raise response
