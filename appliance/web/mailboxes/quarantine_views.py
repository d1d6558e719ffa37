"""Quarantined input (admins): the list with reasons, the raw bytes, and replay."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.store.models import Quarantine
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, LIVE
from appliance.web.frame.errors import wants_json
from appliance.web.frame.rendering import render

LIST_MAX = 200
RAW_SHOWN_BYTES = 256 * 1024  # a bigger raw item is cut on the page; the download has it all


def _list() -> list[dict[str, Any]]:
    rows = (Quarantine.select(Quarantine.id, Quarantine.source, Quarantine.reason,
                              Quarantine.received_at, Quarantine.replayed_at,
                              Quarantine.result_ticket)
            .order_by(Quarantine.id.desc()).limit(LIST_MAX))
    return [{"id": q.id, "source": q.source, "reason": q.reason, "received_at": q.received_at,
             "replayed_at": q.replayed_at, "result_ticket_id": q.result_ticket_id} for q in rows]


def _raw(quarantine_id: int) -> Quarantine:
    row = Quarantine.get_or_none(Quarantine.id == quarantine_id)
    if row is None:
        raise web.HTTPNotFound(text=f"no quarantined item {quarantine_id}")
    return row


async def quarantine_list(request: web.Request) -> web.StreamResponse:
    """GET /quarantine (or /api/quarantine)."""
    rows = await request.app[BACKEND].store.call(_list)
    if wants_json(request):
        return web.json_response({"items": [
            {**r, "received_at": r["received_at"].isoformat(),
             "replayed_at": r["replayed_at"].isoformat() if r["replayed_at"] else None}
            for r in rows]})
    return render(request, "quarantine.html", rows=rows)


async def quarantine_raw(request: web.Request) -> web.StreamResponse:
    """GET /quarantine/{id}: the raw input as text on the page (escaped), or ?download=1."""
    row = await request.app[BACKEND].store.call(_raw, forms.path_number(request, "id"))
    raw = bytes(row.raw)
    if request.query.get("download"):
        return web.Response(body=raw, content_type="application/octet-stream", headers={
            "Content-Disposition": f'attachment; filename="quarantine-{row.id}.eml"'})
    text = raw[:RAW_SHOWN_BYTES].decode("utf-8", "replace")
    return render(request, "quarantine_raw.html", row=row, text=text,
                  cut=len(raw) > RAW_SHOWN_BYTES)


async def quarantine_replay(request: web.Request) -> web.StreamResponse:
    """POST /quarantine/{id}/replay: through the intake again; one ticket, or a new reason."""
    quarantine_id = forms.path_number(request, "id")
    mail = request.app[BACKEND].mail
    if mail is None:
        raise web.HTTPConflict(text="this box runs without its mail part: nothing can replay mail")
    outcome = await mail.replay(quarantine_id)
    request.app[LIVE].broadcast({"kind": "quarantine.replayed", "quarantine_id": quarantine_id})
    if wants_json(request):
        return web.json_response({"outcome": outcome.kind, "ticket_id": outcome.ticket_id})
    raise web.HTTPSeeOther("/quarantine")
