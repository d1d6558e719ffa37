"""The ticket page and its actions, as HTML forms and as the same JSON API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from appliance.ports.work_refusal import NothingToTake, WorkRefused
from appliance.store.errors import InvalidInput
from appliance.tickets import Priority, TicketStatus
from appliance.tickets.reply_copies import CopyAddressRefused, copy_addresses
from appliance.tickets.reply_files import ReplyFileRefused, checked_files
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, LIVE, SESSION, VIEWERS
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.rendering import render
from appliance.web.frame.sessions import SignedIn
from appliance.web.tickets import saved_reply_picker, ticket_actions
from appliance.web.tickets.reply_form import (
    TypedReply,
    checked_text,
    file_caps,
    outgoing_settings,
    typed_reply,
)
from appliance.web.tickets.reply_refusals import refusal_text
from appliance.web.tickets.reply_targets import reply_all_cc, sms_count
from appliance.web.tickets.ticket_reads import ticket_json, ticket_view

STATUSES = [s.value for s in TicketStatus]
PRIORITIES = [p.value for p in Priority]


def _who(request: web.Request) -> SignedIn:
    session = request[SESSION]
    assert session is not None  # the login wall lets no request without one this far
    return session.who


def _done(request: web.Request, number: int, data: dict[str, Any] | None = None,
          notice: str = "", parts: str = "") -> web.StreamResponse:
    """JSON for the API; for a form, back to the ticket page (303: GET it again), with the
    notice to show and an SMS's parts."""
    if wants_json(request):
        return web.json_response({"ok": True, "number": number, **(data or {})})
    query = urlencode({k: v for k, v in (("notice", notice), ("parts", parts)) if v})
    raise web.HTTPSeeOther(f"/tickets/{number}" + (f"?{query}" if query else ""))


async def ticket_page(request: web.Request) -> web.StreamResponse:
    """GET /tickets/{number}: the conversation, the customer and the ticket's fields."""
    number = forms.path_number(request, "number")
    if wants_json(request):
        backend = request.app[BACKEND]
        view = await backend.store.call(ticket_view, number)
        viewers = request.app[VIEWERS].others(view.ticket.id, _who(request).agent_id)
        return web.json_response({"ticket": ticket_json(view.ticket),
                                  "timeline": [e.json() for e in view.timeline],
                                  "contacts": [{"kind": k, "value": v} for k, v in view.contacts],
                                  "viewers": viewers})
    sent = request.query.get("parts", "")
    return await _page(request, number, sent_parts=sent[:40])


async def _page(request: web.Request, number: int, *, typed: TypedReply | None = None,
                problem: str = "", status: int = 200, sent_parts: str = "") -> web.Response:
    """The ticket page; after a refused reply, with what was typed and why it was refused."""
    backend = request.app[BACKEND]
    view = await backend.store.call(ticket_view, number)
    who = _who(request)
    viewers = request.app[VIEWERS].others(view.ticket.id, who.agent_id)
    settings = outgoing_settings(request)
    typed = typed or TypedReply(channel="sms" if view.ticket.channel == "sms" else "email")
    return render(request, "ticket.html", status=status, view=view, statuses=STATUSES,
                  priorities=PRIORITIES, viewers=viewers,
                  notice=request.query.get("notice", "")[:40],
                  choices=await saved_reply_picker.reply_choices(request, view, who),
                  typed=typed, reply_problem=problem, caps=file_caps(settings),
                  reply_all=", ".join(await reply_all_cc(request, view.ticket.id)),
                  typed_parts=sms_count(request, typed.body) if typed.channel == "sms" else None,
                  sent_parts=sent_parts)


async def insert_saved_reply(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/reply/insert: the page again, the chosen saved reply added to
    the draft (the picker's button when the page runs no script; nothing is stored)."""
    number = forms.path_number(request, "number")
    typed = await typed_reply(request)
    fields = await forms.submitted(request)
    reply_id = forms.required_id(fields, "saved_reply")
    view = await request.app[BACKEND].store.call(ticket_view, number)
    choices = await saved_reply_picker.reply_choices(request, view, _who(request))
    chosen = [r for r in (*choices.offered, *choices.others) if r.reply_id == reply_id]
    if not chosen:
        raise web.HTTPNotFound(text=f"no saved reply {reply_id}")
    used = [*saved_reply_picker.inserted_ids(fields), reply_id]
    body = typed.body[:ticket_actions.BODY_MAX_CHARS]
    channel = "sms" if typed.channel == "sms" else "email"
    return await _page(request, number, typed=TypedReply(
        channel=channel, body=saved_reply_picker.with_inserted(body, chosen[0].text), cc=typed.cc,
        saved_ids=",".join(str(i) for i in sorted(set(used)))))


async def reply(request: web.Request) -> web.StreamResponse:
    """POST /tickets/{number}/reply: answer the customer by email (with CC and files) or SMS.

    A refused reply (a file too large or a program, a wrong CC address, an empty text)
    sends nothing and stores nothing: the page comes back with the text and CC as typed
    and the reason in the person's language (JSON: 400 with the reason).
    """
    number = forms.path_number(request, "number")
    typed = await typed_reply(request)
    backend = request.app[BACKEND]
    try:
        channel, body = checked_text(typed)
        cc = copy_addresses(typed.cc) if channel == "email" else []
        files = checked_files(typed.files, file_caps(outgoing_settings(request)))
        if channel == "sms" and (typed.cc.strip() or files):
            raise InvalidInput(ticket_actions.SMS_CARRIES_NO_FILES)
        box_language = backend.config.box.language if backend.config is not None else "fi"
        result = await ticket_actions.reply(backend, _who(request), number, channel, body,
                                            cc=cc, files=files, box_language=box_language)
    except (FieldError, ReplyFileRefused, CopyAddressRefused, InvalidInput) as refused:
        if wants_json(request):
            return web.json_response({"error": str(refused)}, status=400)
        t = translator(language_of(request))
        return await _page(request, number, typed=typed, status=400,
                           problem=refusal_text(refused, t))
    await saved_reply_picker.count_uses(request, await forms.submitted(request))
    notice = "sent" if result.queued_for_sending else "failed" if result.problem else "stored"
    parts = result.sms_parts
    data = {"message_id": result.message_id, "queued_for_sending": result.queued_for_sending,
            "recipient": result.recipient, "problem": result.problem,
            "sms_parts": None if parts is None else {"alphabet": parts.alphabet,
                                                     "parts": parts.parts,
                                                     "characters": parts.units}}
    shown_parts = "" if parts is None else f"{parts.parts}-{parts.alphabet}-{parts.units}"
    return _done(request, number, data, notice, shown_parts)


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
