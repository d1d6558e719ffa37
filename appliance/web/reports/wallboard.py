"""The wall screen: waiting callers, agents, service level, open work, breaches, debt trend."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from appliance.store.stats import sla_breaches
from appliance.web.frame.app_keys import BACKEND, QUEUE_CACHE
from appliance.web.frame.errors import wants_json
from appliance.web.frame.presence_views import team_states
from appliance.web.frame.rendering import render
from appliance.web.reports.chart import line_chart
from appliance.web.reports.report_figures import figures, series_by_day

TREND_DAYS = 14
def _store_part(now: datetime, zone: Any, service_level_s: float) -> dict[str, Any]:
    today = now.astimezone(zone).date()
    day = figures(today, today, zone, service_level_s=service_level_s)[0]
    trend = series_by_day(today - timedelta(days=TREND_DAYS - 1), today, zone)
    return {"today": day.row(), "breaches": sla_breaches(now), "trend": trend}


async def wallboard_data(request: web.Request) -> dict[str, Any]:
    backend = request.app[BACKEND]
    now = backend.clock.now()
    calls = backend.board.waiting_calls()
    longest = max(((now - c.created_at).total_seconds() for c in calls), default=0.0)

    async def build() -> dict[str, Any]:
        return await backend.store.call(_store_part, now, backend.zone, backend.service_level_s)

    # the day's figures change with events (the cache's version) and with the clock: SLA
    # breaches and the day roll over by themselves, so they are kept a minute at most
    minute = now.replace(second=0, microsecond=0)
    stored: Any = await request.app[QUEUE_CACHE].get(("wallboard", minute), build)
    stats = await backend.stats()
    open_tickets = sum(stats["tickets"].get(s, 0) for s in ("new", "open", "pending"))
    return {"waiting_calls": len(calls), "longest_wait_s": round(longest),
            "agents": await team_states(request), "open_tickets": open_tickets,
            "sla_breaches": stored["breaches"], "today": stored["today"],
            "debt_trend": stored["trend"], "at": now.isoformat()}


async def wallboard(request: web.Request) -> web.StreamResponse:
    """GET /wallboard (or /api/wallboard): the big screen."""
    data = await wallboard_data(request)
    if wants_json(request):
        return web.json_response(data)
    trend = data["debt_trend"]
    chart = line_chart([d[5:] for d in trend.get("days", [])], trend.get("debt", []))
    template = "wallboard_body.html" if request.query.get("part") == "body" else "wallboard.html"
    return render(request, template, board=data, chart=chart,
                  service_level_s=request.app[BACKEND].service_level_s)
