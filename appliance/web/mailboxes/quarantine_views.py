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


def _replay(quarantine_id: int, backend: Any) -> Any:
    from appliance.config.sections.mail import SmtpSettings
    from appliance.mail.intake import own_domains
    from appliance.mail.intake_context import IntakeContext
    from appliance.mail.replay import replay
    from appliance.spine.clock import Clock
    from appliance.store.attachment_folder import attachments_dir

    clock: Clock = backend.clock
    smtp = backend.smtp or SmtpSettings()
    data_dir = backend.data_dir
    if data_dir is None:
        raise web.HTTPConflict(text="replay needs the box's data directory")
    ctx = IntakeContext(attachments_dir=attachments_dir(data_dir),
                        own_domains=own_domains(smtp), clock=clock)
    return replay(quarantine_id, ctx)


async def quarantine_replay(request: web.Request) -> web.StreamResponse:
    """POST /quarantine/{id}/replay: through the intake again; one ticket, or a new reason."""
    quarantine_id = forms.path_number(request, "id")
    backend = request.app[BACKEND]
    outcome = await backend.store.call(_replay, quarantine_id, backend)
    for event in outcome.events:
        backend.bus.publish(event)  # the core files the ticket, pages hear of it
    request.app[LIVE].broadcast({"kind": "quarantine.replayed", "quarantine_id": quarantine_id})
    if wants_json(request):
        return web.json_response({"outcome": outcome.kind, "ticket_id": outcome.ticket_id})
    raise web.HTTPSeeOther("/quarantine")
