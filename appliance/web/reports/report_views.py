"""Reports per day or week, as a page with charts, as JSON and as CSV."""

from __future__ import annotations

import io
from datetime import date, timedelta

from aiohttp import web

from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import WebInputError, wants_json
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


async def report_page(request: web.Request) -> web.StreamResponse:
    """GET /reports (or /api/reports): the figures of each day or week in a range."""
    first, last, by_week, rows = await _rows(request)
    if wants_json(request):
        return web.json_response({"from": first.isoformat(), "to": last.isoformat(),
                                  "by": "week" if by_week else "day", "periods": rows})
    labels = [str(r["period"]) for r in rows]
    charts = {
        "Service debt": line_chart(labels, [int(str(r["service_debt"])) for r in rows]),
        "New tickets": line_chart(labels, [sum(int(str(v)) for k, v in r.items()
                                               if k.startswith("new_")) for r in rows]),
        "Calls offered": line_chart(labels, [int(str(r["calls_offered"])) for r in rows]),
    }
    return render(request, "reports.html", rows=rows, first=first, last=last, by_week=by_week,
                  charts=charts, query=request.query_string,
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
