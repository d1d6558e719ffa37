"""Reports per day or week, as a page with charts, as JSON and as CSV."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from aiohttp import web

from appliance.store.agent_figures import AgentFigures, agent_figures
from appliance.store.ticket_tags import TagFigures, tag_report
from appliance.store.wait_history import BY as WAITS_BY
from appliance.store.wait_history import WaitFigures, wait_history
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import FieldError, WebInputError, wants_json
from appliance.web.frame.rendering import render
from appliance.web.reports.chart import line_chart
from appliance.web.reports.report_figures import figures

DEFAULT_DAYS = 14
MAX_DAYS = 366


def _range(request: web.Request) -> tuple[date, date, bool]:
    backend = request.app[BACKEND]
    today = backend.clock.now().astimezone(backend.zone).date()
    try:
        last = date.fromisoformat(request.query.get("to", "") or today.isoformat())
        first = date.fromisoformat(request.query.get("from", "")
                                   or (last - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    except ValueError as error:
        raise WebInputError(f"from and to are dates like 2026-01-31: {error}") from None
    if first > last:
        raise WebInputError("from must not be after to")
    if (last - first).days >= MAX_DAYS:
        raise WebInputError(f"a report covers at most {MAX_DAYS} days")
    return first, last, request.query.get("by") == "week"


async def _rows(request: web.Request) -> tuple[date, date, bool, list[dict[str, object]]]:
    first, last, by_week = _range(request)
    backend = request.app[BACKEND]
    periods = await backend.store.call(figures, first, last, backend.zone, by_week=by_week,
                                       service_level_s=backend.service_level_s)
    return first, last, by_week, [p.row() for p in periods]


def _period_tables(first: date, last: date, zone: tzinfo, waits_by: str) -> PeriodTables:
    """Tags, agents and callers' waits over the whole range. Blocking."""
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return PeriodTables(tags=tag_report(start, end), agents=agent_figures(start, end),
                        waits=wait_history(first, last, zone, by=waits_by))


@dataclass(frozen=True, slots=True)
class PeriodTables:
    tags: list[TagFigures]
    agents: list[AgentFigures]
    waits: list[WaitFigures]


async def report_page(request: web.Request) -> web.StreamResponse:
    """GET /reports (or /api/reports): the figures of each day or week in a range, and the
    range's figures by tag, by agent, and callers' waits by day or hour (`waits=hour`)."""
    first, last, by_week, rows = await _rows(request)
    waits_by = request.query.get("waits", "day")
    if waits_by not in WAITS_BY:
        raise FieldError("waits", "must be one of {allowed}", allowed=", ".join(WAITS_BY))
    backend = request.app[BACKEND]
    tables = await backend.store.call(_period_tables, first, last, backend.zone, waits_by)
    if wants_json(request):
        return web.json_response({"from": first.isoformat(), "to": last.isoformat(),
                                  "by": "week" if by_week else "day", "periods": rows,
                                  "tags": [f.json() for f in tables.tags],
                                  "agents": [f.json() for f in tables.agents],
                                  "waits_by": waits_by,
                                  "waits": [f.json() for f in tables.waits]})
    labels = [str(r["period"]) for r in rows]
    charts = {
        "Service debt": line_chart(labels, [int(str(r["service_debt"])) for r in rows]),
        "New tickets": line_chart(labels, [sum(int(str(v)) for k, v in r.items()
                                               if k.startswith("new_")) for r in rows]),
        "Calls offered": line_chart(labels, [int(str(r["calls_offered"])) for r in rows]),
    }
    return render(request, "reports.html", rows=rows, first=first, last=last, by_week=by_week,
                  charts=charts, query=request.query_string, tables=tables, waits_by=waits_by,
                  service_level_s=request.app[BACKEND].service_level_s)


def _cell(value: object) -> object:
    # A cell starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


async def report_csv(request: web.Request) -> web.StreamResponse:
    """GET /reports.csv: the same figures as a CSV download."""
    first, last, _, rows = await _rows(request)
    import csv  # only the download needs it

    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    name = f"aspa-report-{first.isoformat()}-{last.isoformat()}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
