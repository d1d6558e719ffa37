"""The after-call item: what the agent writes when a call they answered ends.

GET /after-calls/{id} shows the form (or what was written); POST saves the notes, the
outcome and an optional follow-up date. A follow-up is a ticket for the caller, assigned to
the agent and pending until that date: it comes back to their queue then. Saving ends the
agent's wrap-up, through the switchboard, so the next call can ring them.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from appliance.presence.transitions import end_wrap_up
from appliance.spine.events import AfterCallSaved
from appliance.store.after_calls import (
    NOTES_MAX_CHARS,
    OUTCOMES,
    AfterCallItem,
    after_call,
    save_after_call,
)
from appliance.store.errors import NotFound
from appliance.store.ticket_records import MessageDraft
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import FieldError, WebInputError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.phone_display import shown_number
from appliance.web.frame.problem_text import field_error_text
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import SignedIn
from appliance.web.tickets.pending_views import UNTIL_MAX_CHARS, parse_until

PRESENCE_SOURCE = "web"


def _who(request: web.Request) -> SignedIn:
    session = request[SESSION]
    assert session is not None  # the login wall lets no request without one this far
    return session.who


async def _own_item(request: web.Request) -> AfterCallItem:
    """The item in the path, if it is the signed-in agent's (another's is not found)."""
    item_id = forms.path_number(request, "id")
    item = await request.app[BACKEND].store.call(after_call, item_id)
    if item.agent_id != _who(request).agent_id:
        raise NotFound(f"after-call item {item_id} does not exist")
    return item


async def after_call_page(request: web.Request) -> web.StreamResponse:
    """GET /after-calls/{id}: the form, or what was written."""
    item = await _own_item(request)
    if wants_json(request):
        return web.json_response({"after_call": item.json()})
    return _form(request, item)


def _form(request: web.Request, item: AfterCallItem, *, typed: forms.Fields | None = None,
          problem: str = "", status: int = 200) -> web.Response:
    """The page; a refused form shows what was typed, with what is wrong, in full."""
    backend = request.app[BACKEND]
    shown = {name: str(value) for name, value in (typed or {}).items()
             if name in ("notes", "outcome", "follow_up") and isinstance(value, str)}
    return render(request, "after_call.html", status=status, item=item, outcomes=OUTCOMES,
                  notes_max=NOTES_MAX_CHARS, number=shown_number(item.number, backend.region),
                  typed=shown, problem=problem)


def _follow_up(fields: forms.Fields, request: web.Request) -> datetime | None:
    raw = forms.text(fields, "follow_up", max_chars=UNTIL_MAX_CHARS, required=False)
    if not raw:
        return None
    backend = request.app[BACKEND]
    try:
        moment = parse_until(raw, backend.zone)
    except WebInputError:
        raise FieldError("follow_up", "must be a date and time, like {example}",
                         example="2026-12-08T09:00") from None
    if moment <= backend.clock.now():
        raise FieldError("follow_up", "must be in the future")
    return moment


async def after_call_save(request: web.Request) -> web.StreamResponse:
    """POST /after-calls/{id}: notes, outcome, follow-up (a date and time, optional)."""
    item = await _own_item(request)
    if item.saved_at is not None:
        raise WebInputError("this after-call item is already saved")
    fields = await forms.submitted(request)
    try:
        notes = forms.text(fields, "notes", max_chars=NOTES_MAX_CHARS, required=False)
        outcome = forms.choice(fields, "outcome", OUTCOMES)
        follow_up = _follow_up(fields, request)
    except FieldError as error:
        if wants_json(request):
            raise
        problem = field_error_text(error, translator(language_of(request)))
        return _form(request, item, typed=fields, problem=problem, status=400)
    backend = request.app[BACKEND]
    who = _who(request)
    follow_up_ticket = None
    if follow_up is not None:
        t = translator(language_of(request))
        caller = item.customer_name or shown_number(item.number, backend.region) or t("caller")
        ticket = await backend.tickets.open_ticket(
            "call", t("Follow-up of the call with {caller}", caller=caller),
            item.customer_id, assignee_id=who.agent_id,
            message=MessageDraft(channel="note", direction="internal",
                                 body_text=notes, author_id=who.agent_id) if notes else None)
        ticket = await backend.tickets.set_pending(ticket.id, follow_up, t("Follow-up"),
                                                   by=who.agent_id)
        follow_up_ticket = ticket
    saved = await backend.store.call(
        save_after_call, item.id, who.agent_id, notes=notes, outcome=outcome,
        follow_up_at=follow_up_ticket.pending_until if follow_up_ticket else None,
        follow_up_ticket_id=follow_up_ticket.id if follow_up_ticket else None,
        now=backend.clock.now())
    backend.bus.publish(AfterCallSaved(
        at=backend.clock.now(), after_call_id=saved.id, call_id=saved.call_ref,
        outcome=outcome, agent_id=who.agent_id, customer_id=saved.customer_id,
        ticket_id=follow_up_ticket.id if follow_up_ticket else None,
        follow_up_number=follow_up_ticket.number if follow_up_ticket else None))
    backend.change_presence(who.agent_id, end_wrap_up, source=PRESENCE_SOURCE)
    if wants_json(request):
        return web.json_response({"ok": True, "after_call": saved.json()})
    target = f"/customers/{saved.customer_id}" if saved.customer_id else "/"
    raise web.HTTPSeeOther(target)
