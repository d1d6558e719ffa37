"""POST /tickets/{number}/pending: the ticket waits until a date and time, with a reason.

The time is read on the office's wall clock (a browser's datetime-local field sends it
without a zone); an ISO time with an offset is taken as it is.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from aiohttp import web

from appliance.store.ticket_records import PENDING_REASON_MAX_CHARS
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import WebInputError, wants_json
from appliance.web.frame.flash import done_address
from appliance.web.tickets import ticket_actions

UNTIL_MAX_CHARS = 40


def parse_until(raw: str, zone: tzinfo) -> datetime:
    """A typed date and time, on the office's clock unless it names its offset."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise WebInputError("until must be a date and time, like 2026-12-08T09:00") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


async def set_pending(request: web.Request) -> web.StreamResponse:
    """Pending until a time (field `until`), for a reason (field `reason`)."""
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    backend = request.app[BACKEND]
    until = parse_until(forms.text(fields, "until", max_chars=UNTIL_MAX_CHARS), backend.zone)
    reason = forms.text(fields, "reason", max_chars=PENDING_REASON_MAX_CHARS, required=False)
    session = request[SESSION]
    assert session is not None
    back_at = await ticket_actions.set_pending(backend, session.who, number, until, reason)
    if wants_json(request):
        return web.json_response({"ok": True, "number": number,
                                  "pending_until": back_at.isoformat(), "reason": reason})
    raise web.HTTPSeeOther(done_address(f"/tickets/{number}"))
