"""The saved replies page: list, add, change and remove replies and knowledge snippets.

Under /replies, not /admin: the agents who answer customers write and mend these
answers, admins too; each row keeps who changed it last and when.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.store import saved_replies
from appliance.store.saved_replies import SavedReplyRow, ShortcutTaken
from appliance.tickets.reply_placeholders import PLACEHOLDERS, unknown_placeholders
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render
from appliance.web.replies import reply_form


def _as_json(row: SavedReplyRow) -> dict[str, Any]:
    return {"id": row.reply_id, "title": row.title, "text": row.text, "language": row.language,
            "shortcut": row.shortcut, "kind": row.kind, "usage_count": row.usage_count,
            "edited_by": row.edited_by, "edited_at": row.edited_at.isoformat(),
            "unknown_placeholders": unknown_placeholders(row.text)}


def _typed_from(row: SavedReplyRow) -> dict[str, str]:
    return {"title": row.title, "text": row.text, "language": row.language,
            "shortcut": row.shortcut or "", "kind": row.kind}


def _agent_id(request: web.Request) -> int:
    session = request[SESSION]
    assert session is not None  # the login wall lets no request without one this far
    return session.who.agent_id


def _refusal(request: web.Request, error: FieldError) -> str:
    return field_error_text(error, translator(language_of(request)))


def _refused(error: FieldError | ShortcutTaken) -> FieldError:
    """A shortcut in use is refused as a field error, like the form's own."""
    if isinstance(error, ShortcutTaken):
        return FieldError("shortcut", "already used by another saved reply")
    return error


async def replies_page(request: web.Request, *, status: int = 200,
                       typed: dict[str, str] | None = None,
                       problem: str = "") -> web.StreamResponse:
    """GET /replies (or /api/replies): every saved reply and snippet, and a form for one more."""
    rows = await request.app[BACKEND].store.call(saved_replies.list_replies)
    if wants_json(request):
        return web.json_response({"replies": [_as_json(r) for r in rows]})
    return render(request, "replies.html", status=status, replies=rows,
                  typed=typed or reply_form.EMPTY, problem=problem,
                  placeholders=PLACEHOLDERS, languages=reply_form.LANGUAGES,
                  kinds=reply_form.KINDS, removed=request.query.get("removed") == "1")


async def reply_add(request: web.Request) -> web.StreamResponse:
    """POST /replies: a new saved reply; to its page, which names any unknown placeholder."""
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    try:
        draft = reply_form.draft(fields)
        reply_id = await backend.store.call(saved_replies.add_reply, draft, _agent_id(request),
                                            backend.clock.now())
    except (FieldError, ShortcutTaken) as error:
        refused = _refused(error)
        if wants_json(request):
            raise refused from None
        return await replies_page(request, status=400, typed=reply_form.typed(fields),
                                  problem=_refusal(request, refused))
    return await _saved(request, reply_id)


async def _saved(request: web.Request, reply_id: int) -> web.StreamResponse:
    if wants_json(request):
        row = await request.app[BACKEND].store.call(saved_replies.reply_by_id, reply_id)
        return web.json_response({"ok": True, **_as_json(row)})
    raise web.HTTPSeeOther(f"/replies/{reply_id}?saved=1")


async def reply_page(request: web.Request, *, status: int = 200,
                     typed: dict[str, str] | None = None,
                     problem: str = "") -> web.StreamResponse:
    """GET /replies/{id}: one saved reply's form; a warning for text that looks like an
    unknown placeholder (it is sent as written)."""
    reply_id = forms.path_number(request, "id")
    row = await request.app[BACKEND].store.call(saved_replies.reply_by_id, reply_id)
    if wants_json(request):
        return web.json_response(_as_json(row))
    return render(request, "reply_edit.html", status=status, reply=row,
                  typed=typed or _typed_from(row), problem=problem,
                  unknown=unknown_placeholders(row.text), placeholders=PLACEHOLDERS,
                  languages=reply_form.LANGUAGES, kinds=reply_form.KINDS,
                  saved=request.query.get("saved") == "1" and not problem)


async def reply_change(request: web.Request) -> web.StreamResponse:
    """POST /replies/{id}: new title, text, language, shortcut and kind."""
    reply_id = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    try:
        draft = reply_form.draft(fields)
        await backend.store.call(saved_replies.change_reply, reply_id, draft,
                                 _agent_id(request), backend.clock.now())
    except (FieldError, ShortcutTaken) as error:
        refused = _refused(error)
        if wants_json(request):
            raise refused from None
        return await reply_page(request, status=400, typed=reply_form.typed(fields),
                                problem=_refusal(request, refused))
    return await _saved(request, reply_id)


async def reply_remove(request: web.Request) -> web.StreamResponse:
    """POST /replies/{id}/remove: the saved reply is gone (replies sent with it stay)."""
    reply_id = forms.path_number(request, "id")
    await request.app[BACKEND].store.call(saved_replies.remove_reply, reply_id)
    if wants_json(request):
        return web.json_response({"ok": True})
    raise web.HTTPSeeOther("/replies?removed=1")
