"""The ticket page and its actions, as HTML forms and as the same JSON API."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.ports.work_refusal import NothingToTake, WorkRefused
from appliance.tickets import Priority, TicketStatus
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, LIVE, SESSION, VIEWERS
from appliance.web.frame.errors import wants_json
from appliance.web.frame.i18n import language_of
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import SignedIn
from appliance.web.tickets import ticket_actions
from appliance.web.tickets.canned import canned_responses
from appliance.web.tickets.ticket_reads import ticket_json, ticket_view

STATUSES = [s.value for s in TicketStatus]
PRIORITIES = [p.value for p in Priority]


def _who(request: web.Request) -> SignedIn:
    session = request[SESSION]
    assert session is not None  # the login wall lets no request without one this far
    return session.who


def _done(request: web.Request, number: int, data: dict[str, Any] | None = None,
          notice: str = "") -> web.StreamResponse:
    """JSON for the API; for a form, back to the ticket page (303: GET it again)."""
    if wants_json(request):
        return web.json_response({"ok": True, "number": number, **(data or {})})
    target = f"/tickets/{number}" + (f"?notice={notice}" if notice else "")
    raise web.HTTPSeeOther(target)


async def ticket_page(request: web.Request) -> web.StreamResponse:
    """GET /tickets/{number}: the conversation, the customer and the ticket's fields."""
    number = forms.path_number(request, "number")
    backend = request.app[BACKEND]
    view = await backend.store.call(ticket_view, number)
    who = _who(request)
    viewers = request.app[VIEWERS].others(view.ticket.id, who.agent_id)
    if wants_json(request):
        return web.json_response({"ticket": {**ticket_json(view.ticket), "tags": view.tags},
                                  "timeline": [e.json() for e in view.timeline],
                                  "contacts": [{"kind": k, "value": v} for k, v in view.contacts],
                                  "viewers": viewers})
    return render(request, "ticket.html", view=view, statuses=STATUSES, priorities=PRIORITIES,
                  viewers=viewers, notice=request.query.get("notice", "")[:40],
                  canned=canned_responses(language_of(request)))


async def reply(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/reply: answer the customer by email or SMS."""
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    channel = forms.choice(fields, "channel", ("email", "sms"))
    body = forms.text(fields, "body", max_chars=ticket_actions.BODY_MAX_CHARS)
    result = await ticket_actions.reply(request.app[BACKEND], _who(request), number, channel,
                                        body)
    notice = "sent" if result.queued_for_sending else "failed" if result.problem else "stored"
    return _done(request, number, {"message_id": result.message_id,
                                   "queued_for_sending": result.queued_for_sending,
                                   "recipient": result.recipient,
                                   "problem": result.problem}, notice)


async def note(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/note: an internal note; @login mentions tell those agents."""
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    body = forms.text(fields, "body", max_chars=ticket_actions.BODY_MAX_CHARS)
    who = _who(request)
    message_id, mentioned = await ticket_actions.add_note(request.app[BACKEND], who, number,
                                                          body)
    for agent_id in mentioned:
        request.app[LIVE].tell_agent(agent_id, {"kind": "mention", "number": number,
                                                "by": who.name})
    return _done(request, number, {"message_id": message_id, "mentioned": mentioned})


async def change_fields(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/fields: status, priority and assignee, those given."""
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    who = _who(request)
    if fields.get("assignee") not in (None, "keep"):
        agent_id = forms.optional_id(fields, "assignee")
        if agent_id is not None:
            await ticket_actions.agent_exists(backend, agent_id)
        await ticket_actions.assign(backend, who, number, agent_id)
    if fields.get("priority"):
        await ticket_actions.set_priority(backend, who, number,
                                          forms.choice(fields, "priority", PRIORITIES))
    if fields.get("status"):
        await ticket_actions.set_status(backend, who, number,
                                        forms.choice(fields, "status", STATUSES))
    return _done(request, number)


async def merge(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/merge: this ticket goes into another (`into`, a number)."""
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    into = forms.required_id(fields, "into")
    await ticket_actions.merge(request.app[BACKEND], _who(request), number, into)
    return _done(request, into)


async def create(request: web.Request) -> web.StreamResponse:
    """POST /tickets: a new ticket typed in by an agent (a phone note, a walk-in)."""
    fields = await forms.submitted(request)
    channel = forms.choice(fields, "channel", ticket_actions.NEW_TICKET_CHANNELS)
    subject = forms.text(fields, "subject", max_chars=ticket_actions.SUBJECT_MAX_CHARS)
    body = forms.text(fields, "body", max_chars=ticket_actions.BODY_MAX_CHARS, required=False)
    priority = str(fields.get("priority") or "normal")
    number = await ticket_actions.create(request.app[BACKEND], _who(request), channel, subject,
                                         body, forms.optional_id(fields, "customer_id"),
                                         forms.choice({"p": priority}, "p", PRIORITIES))
    return _done(request, number)


async def take_next(request: web.Request) -> web.StreamResponse:
    """POST /queue/take: the top item I may take becomes mine; off to its page.

    Nothing is handed to an agent who is busy, away, ringing, on a call or in wrap-up:
    the queue page says why (JSON: 409 with the reason).
    """
    try:
        number = await ticket_actions.take_next(request.app[BACKEND], _who(request))
    except NothingToTake:
        if wants_json(request):
            return web.json_response({"number": None})
        raise web.HTTPSeeOther("/?empty=1") from None
    except WorkRefused as refused:
        if wants_json(request):
            return web.json_response({"number": None, "refused": refused.reason,
                                      "error": str(refused)}, status=409)
        raise web.HTTPSeeOther(f"/?refused={refused.reason}") from None
    if wants_json(request):
        return web.json_response({"number": number})
    raise web.HTTPSeeOther(f"/tickets/{number}")
