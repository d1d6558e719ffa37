"""The admin's settings page: one form per section of aspa.toml, the parts' health, retention."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import wants_json
from appliance.web.frame.rendering import render
from appliance.web.settings.agent_logins import active_logins
from appliance.web.settings.caller_form import time_zones
from appliance.web.settings.config_summary import summary
from appliance.web.settings.editable_settings import editable_settings, saved_config, show_typed


@dataclass(frozen=True)
class Refused:
    """A form the loader refused: which one, what the admin typed (never a secret), and why."""

    section: str
    typed: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _retention(request: web.Request) -> dict[str, Any]:
    """The retention policy in days and what the nightly run last did."""
    parts = request.app[BACKEND].privacy
    if parts is None:
        return {"policy": [], "last_run": None, "removed": {}, "ok": True, "detail": ""}
    nightly = parts.retention()
    report = getattr(nightly, "last_report", None)
    health = nightly.health() if nightly is not None else None
    return {"policy": [list(p) for p in parts.policy],
            "last_run": report.now if report is not None else None,
            "removed": dict(report.removed) if report is not None else {},
            "ok": health.ok if health is not None else True,
            "detail": health.detail if health is not None else "no nightly run on this box"}


async def settings_page(request: web.Request) -> web.StreamResponse:
    """GET /admin/settings: ring groups, hours, lines, MQTT, desk units, backups, retention."""
    return await settings_response(request, saved=request.query.get("saved") == "1",
                                   restarted=request.query.get("restarted") == "1")


async def settings_response(request: web.Request, *, refused: Refused | None = None,
                            saved: bool = False, status: int = 200,
                            restarted: bool = False) -> web.Response:
    """The settings page (or JSON), with a refused form shown as typed, or "saved"."""
    backend = request.app[BACKEND]
    config, file_problems = await asyncio.to_thread(saved_config, backend.config,
                                                    backend.config_path)
    editable = editable_settings(config, backend.config_path)
    editable["restart_pending"] = config is not backend.config and config != backend.config
    editable["agent_logins"] = await backend.store.call(active_logins)  # breach_reassign's
    sections = summary(backend.config)
    retention = _retention(request)
    if wants_json(request):
        last = retention["last_run"]
        return web.json_response({"sections": {k: dict(v) for k, v in sections.items()},
                                  "editable": editable, "file_problems": file_problems,
                                  "health": {k: {"ok": ok, "detail": d}
                                             for k, (ok, d) in backend.health().items()},
                                  "retention": {**retention, "last_run": last.isoformat()
                                                if last is not None else None}})
    if refused is not None:
        show_typed(editable, refused.section, refused.typed)
    return render(request, "admin_settings.html", sections=sections, health=backend.health(),
                  retention=retention, editable=editable, file_problems=file_problems,
                  refused=refused, saved=saved, restarted=restarted, status=status,
                  time_zones=time_zones())
