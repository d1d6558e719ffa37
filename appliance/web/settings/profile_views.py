"""Each agent's own page: how their replies by mail are signed (sender name, signature)."""

from __future__ import annotations

from aiohttp import web

from appliance.store.reply_identity import (
    SENDER_NAME_MAX_CHARS,
    SIGNATURE_MAX_CHARS,
    ReplyIdentity,
    reply_identity,
    save_reply_identity,
)
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render
from appliance.web.tickets.reply_form import outgoing_settings


def _agent_id(request: web.Request) -> int:
    session = request[SESSION]
    assert session is not None  # the login wall lets no request without one this far
    return session.who.agent_id


async def profile_page(request: web.Request, *, typed: ReplyIdentity | None = None,
                       problem: str = "", status: int = 200) -> web.Response:
    """The own page: the password form and the reply signature form."""
    identity = typed
    if identity is None:
        identity = await request.app[BACKEND].store.call(reply_identity, _agent_id(request))
    settings = outgoing_settings(request)
    example = settings.shown_sender(identity.own_sender_name or identity.sender_name)
    return render(request, "password.html", status=status, identity=identity,
                  profile_problem=problem, saved=request.query.get("saved") == "replies",
                  from_example=example, from_address=settings.from_address,
                  sender_max=SENDER_NAME_MAX_CHARS, signature_max=SIGNATURE_MAX_CHARS)


async def password_page(request: web.Request) -> web.StreamResponse:
    """GET /password: my password, and how my replies are signed."""
    return await profile_page(request)


async def save_replies(request: web.Request) -> web.StreamResponse:
    """POST /profile/replies: my sender name and signature (empty: the defaults)."""
    fields = await forms.submitted(request)
    name_typed = str(fields.get("sender_name") or "")
    signature_typed = str(fields.get("signature") or "")
    try:
        sender_name = forms.text(fields, "sender_name", max_chars=SENDER_NAME_MAX_CHARS,
                                 required=False)
        signature = forms.text(fields, "signature", max_chars=SIGNATURE_MAX_CHARS,
                               required=False)
    except FieldError as error:
        if wants_json(request):
            raise
        t = translator(language_of(request))
        return await profile_page(
            request, typed=ReplyIdentity(name_typed, signature_typed, name_typed),
            problem=field_error_text(error, t), status=400)
    await request.app[BACKEND].store.call(save_reply_identity, _agent_id(request),
                                          sender_name, signature)
    if wants_json(request):
        return web.json_response({"ok": True, "sender_name": sender_name,
                                  "signature": signature})
    raise web.HTTPSeeOther("/password?saved=replies#replies")
