"""Admin pages: agents and logins, and each user's own password (settings: settings_views)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.store.accounts import ROLES
from appliance.store.errors import InvalidInput, NotFound
from appliance.store.models import Agent
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION, SESSIONS
from appliance.web.frame.auth import recheck_password
from appliance.web.frame.errors import FieldError, WebInputError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render

PASSWORD_MAX = 200


def _agents() -> list[dict[str, Any]]:
    return [{"id": a.id, "name": a.name, "login": a.login, "role": a.role, "active": a.active,
             "phone": a.phone or "", "language": a.language or ""}
            for a in Agent.select().order_by(Agent.name)]


async def agents_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/agents (or /api/admin/agents)."""
    agents = await request.app[BACKEND].store.call(_agents)
    if wants_json(request):
        return web.json_response({"agents": agents})
    return render(request, "admin_agents.html", agents=agents, roles=ROLES, typed=NEW_AGENT,
                  problem="")


NEW_AGENT = {"name": "", "login": "", "role": "agent", "password": ""}


def _typed_agent(fields: forms.Fields) -> dict[str, str]:
    """The add-agent form as posted (the password too: shown back in this answer only)."""
    return {key: value[:PASSWORD_MAX] if isinstance(value := fields.get(key, ""), str) else ""
            for key in NEW_AGENT}


def _password(fields: forms.Fields, name: str = "password") -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        raise FieldError(name, "required")
    if len(value) > PASSWORD_MAX:
        raise FieldError(name, "too long: at most {count} characters", count=PASSWORD_MAX)
    return value


async def agent_add(request: web.Request) -> web.StreamResponse:
    """POST /admin/agents: a new agent or admin."""
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    try:
        agent = await backend.store.call(
            backend.accounts.add_user, forms.text(fields, "name", max_chars=200),
            forms.text(fields, "login", max_chars=100), forms.choice(fields, "role", ROLES),
            _password(fields))
    except (WebInputError, InvalidInput) as error:
        if wants_json(request):
            raise
        agents = await backend.store.call(_agents)
        problem = (field_error_text(error, translator(language_of(request)))
                   if isinstance(error, FieldError) else str(error))
        return render(request, "admin_agents.html", agents=agents, roles=ROLES,
                      typed=_typed_agent(fields), problem=problem, status=400)
    await backend.board.roster_changed(agent.id, "added")
    return _done(request, {"id": agent.id})


def _set_active(agent_id: int, active: bool) -> None:
    if not Agent.update(active=active).where(Agent.id == agent_id).execute():
        raise NotFound(f"agent {agent_id} does not exist")


async def agent_update(request: web.Request) -> web.StreamResponse:
    """POST /admin/agents/{id}: role, active, or a new password (which ends their sessions)."""
    agent_id = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    session = request[SESSION]
    assert session is not None
    if fields.get("role"):
        if agent_id == session.who.agent_id and fields.get("role") != "admin":
            raise WebInputError("you cannot take the admin role from yourself")
        await backend.store.call(backend.accounts.set_role, agent_id,
                                 forms.choice(fields, "role", ROLES))
        request.app[SESSIONS].end_all_for(agent_id)  # the role is read at login
    if fields.get("active") in ("0", "1", True, False):
        active = fields.get("active") in ("1", True)
        if agent_id == session.who.agent_id and not active:
            raise WebInputError("you cannot deactivate yourself")
        await backend.store.call(_set_active, agent_id, active)
        await backend.board.roster_changed(agent_id, "reactivated" if active else "deactivated")
        if not active:
            request.app[SESSIONS].end_all_for(agent_id)
    if fields.get("password"):
        await backend.store.call(backend.accounts.change_password, agent_id, _password(fields))
        request.app[SESSIONS].end_all_for(agent_id)
    return _done(request, {"id": agent_id})


def _done(request: web.Request, data: dict[str, Any]) -> web.StreamResponse:
    if wants_json(request):
        return web.json_response({"ok": True, **data})
    raise web.HTTPSeeOther("/admin/agents")


async def change_own_password(request: web.Request) -> web.StreamResponse:
    """POST /password: my new password; every session of mine ends, this one too."""
    session = request[SESSION]
    assert session is not None
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    current = _password(fields, "current")
    if not await recheck_password(request, session.who.login, current):
        raise web.HTTPForbidden(text="The current password is wrong (or too many tries: "
                                     "wait a few minutes).")
    new = _password(fields, "new")
    if new != fields.get("new2"):
        raise WebInputError("the new passwords do not match")
    await backend.store.call(backend.accounts.change_password, session.who.agent_id, new)
    request.app[SESSIONS].end_all_for(session.who.agent_id)
    if wants_json(request):
        return web.json_response({"ok": True, "logged_out": True})
    raise web.HTTPSeeOther("/login")

