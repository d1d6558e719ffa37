"""The audit trail for admins: who viewed, exported, changed or erased whose data, newest first."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import FieldError, WebInputError, wants_json
from appliance.web.frame.rendering import render

PAGE_ROWS = 100


def _number(query: Any, name: str) -> int | None:
    value = query.get(name, "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise FieldError(name, "must be a whole number")
    return int(value)


def _entry_json(record: Any) -> dict[str, Any]:
    return {"id": record.id, "at": record.at.isoformat(), "actor": record.actor,
            "actor_id": record.actor_id, "action": record.action,
            "customer_id": record.customer_id, "detail": record.detail}


async def audit_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/audit?customer=&action=&before=: a page of entries, a link to older ones."""
    from appliance.privacy.audit import ACTIONS, audit_log

    customer_id = _number(request.query, "customer")
    before_id = _number(request.query, "before")
    action = request.query.get("action", "") or None
    if action is not None and action not in ACTIONS:
        raise WebInputError(f"action must be one of {', '.join(ACTIONS)}")
    # one more than shown tells whether an older page exists
    records = await request.app[BACKEND].store.call(
        audit_log, customer_id=customer_id, action=action, limit=PAGE_ROWS + 1,
        before_id=before_id)
    shown, more = records[:PAGE_ROWS], len(records) > PAGE_ROWS
    older = shown[-1].id if more else None
    if wants_json(request):
        return web.json_response({"entries": [_entry_json(r) for r in shown],
                                  "next_before": older})
    return render(request, "audit.html", entries=shown, older=older, actions=ACTIONS,
                  customer=customer_id, action=action or "")
