"""My presence with one click, and the team's states."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from aiohttp import web

from appliance.presence.states import AgentState, Presence
from appliance.presence.transitions import set_presence
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.auth import safe_next
from appliance.web.frame.errors import wants_json
from appliance.web.frame.people import active_agents
from appliance.web.frame.rendering import render

PRESENCES = [p.value for p in Presence]


async def team_states(request: web.Request) -> list[dict[str, object]]:
    """Every active agent with presence and activity, by name."""
    backend = request.app[BACKEND]
    now = backend.clock.now()
    out: list[dict[str, object]] = []
    for agent_id, name, login in await backend.store.call(active_agents):
        state = backend.board.agent(agent_id)
        out.append({"agent_id": agent_id, "name": name, "login": login,
                    "presence": state.presence.value if state else "offline",
                    "activity": state.activity_at(now).value if state else "idle",
                    "since": state.changed_at.isoformat() if state and state.changed_at else None})
    return out


async def presence_page(request: web.Request) -> web.StreamResponse:
    """GET /presence (or /api/presence): my state and the team's."""
    team = await team_states(request)
    if wants_json(request):
        return web.json_response({"agents": team})
    session = request[SESSION]
    assert session is not None
    mine = next((a for a in team if a["agent_id"] == session.who.agent_id), None)
    return render(request, "presence.html", team=team, mine=mine, presences=PRESENCES)


async def set_my_presence(request: web.Request) -> web.StreamResponse:
    """POST /presence: set my presence (available, busy, away, offline)."""
    session = request[SESSION]
    assert session is not None
    fields = await forms.submitted(request)
    presence = Presence(forms.choice(fields, "presence", PRESENCES))
    backend = request.app[BACKEND]
    state = backend.change_presence(session.who.agent_id,
                                    partial(_chosen, presence=presence), source="web")
    if state is None:
        raise web.HTTPNotFound(text="this login is not an active agent of the box: an admin "
                                    "can activate it")
    if wants_json(request):
        return web.json_response({"presence": state.presence.value,
                                  "activity": state.activity.value})
    raise web.HTTPSeeOther(safe_next(str(fields.get("next") or "/presence")))


def _chosen(state: AgentState, now: datetime, *, presence: Presence) -> AgentState:
    return set_presence(state, presence, now)
