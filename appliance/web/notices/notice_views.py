"""GET/POST /notices: each agent chooses, per kind of notice, the page only, email, SMS or the
desk LED, and their quiet hours; the latest notices are listed below."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from email.utils import parseaddr
from typing import Any

from aiohttp import web

from appliance.config.value_checks import clock_time
from appliance.store.models import Agent
from appliance.store.notice_choices import KINDS, WAYS, StoredChoices, read_choices, save_choices
from appliance.store.notice_log import recent
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render

EMAIL_MAX = 320
SHOWN_NOTICES = 20


def _phone_of(agent_id: int) -> str:
    agent = Agent.get_or_none(Agent.id == agent_id)
    return str(agent.phone or "") if agent is not None else ""


def _typed(choices: StoredChoices) -> dict[str, str]:
    """The form's values from stored choices."""
    return {**{f"way_{k}": choices.ways.get(k, "page") for k in KINDS},
            "notice_email": choices.email, "quiet_start": choices.quiet_start or "",
            "quiet_end": choices.quiet_end or ""}


def _quiet_time(fields: forms.Fields, name: str) -> str | None:
    value = forms.text(fields, name, max_chars=5, required=False)
    if not value:
        return None
    parsed = clock_time(value)
    if parsed is None or len(value) != 5:
        raise FieldError(name, "a time like 21:00")
    return value


def choices_from(fields: forms.Fields, phone: str) -> StoredChoices:
    """The submitted choices, checked; FieldError names the first field that is wrong."""
    ways = {kind: forms.choice(fields, f"way_{kind}", WAYS) for kind in KINDS}
    email = forms.text(fields, "notice_email", max_chars=EMAIL_MAX, required=False)
    if email and ("@" not in parseaddr(email)[1] or parseaddr(email)[1] != email):
        raise FieldError("notice_email", "an address like name@example.fi")
    if "email" in ways.values() and not email:
        raise FieldError("notice_email", "required for notices by email")
    if "sms" in ways.values() and not phone:
        raise FieldError("way_sms", "your login has no mobile number: an admin can add it")
    start, end = _quiet_time(fields, "quiet_start"), _quiet_time(fields, "quiet_end")
    if (start is None) != (end is None):
        raise FieldError("quiet_end" if end is None else "quiet_start",
                         "give both times, or neither for the office's closed hours")
    return StoredChoices(ways, email, start, end)


async def _show(request: web.Request, *, typed: Mapping[str, Any], problem: str = "",
                status: int = 200) -> web.StreamResponse:
    session = request[SESSION]
    assert session is not None
    backend = request.app[BACKEND]
    agent_id = session.who.agent_id
    told = await backend.store.call(recent, agent_id, SHOWN_NOTICES)
    phone = await backend.store.call(_phone_of, agent_id)
    return render(request, "notices.html", status=status, kinds=KINDS, ways=WAYS, typed=typed,
                  problem=problem, told=told, phone=phone,
                  saved=request.query.get("saved") == "1")


async def notices_page(request: web.Request) -> web.StreamResponse:
    """GET /notices (or /api/notices): my choices and my latest notices."""
    session = request[SESSION]
    assert session is not None
    backend = request.app[BACKEND]
    choices = await backend.store.call(read_choices, session.who.agent_id)
    if wants_json(request):
        return web.json_response({"choices": {**asdict(choices), "ways": dict(choices.ways)}})
    return await _show(request, typed=_typed(choices))


async def save_notices(request: web.Request) -> web.StreamResponse:
    """POST /notices: my choices; a mistake shows the form again with what I typed."""
    session = request[SESSION]
    assert session is not None
    backend = request.app[BACKEND]
    fields = await forms.submitted(request)
    phone = await backend.store.call(_phone_of, session.who.agent_id)
    try:
        choices = choices_from(fields, phone)
    except FieldError as error:
        if wants_json(request):
            raise
        typed = {k: str(v) for k, v in fields.items() if isinstance(v, str)}
        problem = field_error_text(error, translator(language_of(request)))
        return await _show(request, typed=typed, problem=problem, status=400)
    await backend.store.call(save_choices, session.who.agent_id, choices)
    if wants_json(request):
        return web.json_response({"ok": True})
    raise web.HTTPSeeOther("/notices?saved=1")
