"""The work queue (page, live rows and JSON) and the figures.

The rows and the JSON are served from the queue cache until the queue
changes; the lists of agents and teams for the filters likewise.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from datetime import datetime
from typing import Any

from aiohttp import web
from markupsafe import Markup

from appliance.store.after_calls import open_after_calls
from appliance.web.frame.app_keys import BACKEND, QUEUE_CACHE, SESSION, VIEWERS
from appliance.web.frame.errors import WebInputError
from appliance.web.frame.gzip_body import cached_response
from appliance.web.frame.i18n import language_of, translator
from appliance.web.frame.people import active_agents, all_teams
from appliance.web.frame.phone_display import shown_number, waited_text
from appliance.web.frame.rendering import environment, page_context, render
from appliance.web.frame.work_rows import WorkItemRow
from appliance.web.tickets.queue_filter import CHANNELS, STATUSES, QueueFilter

# why nothing was handed over (appliance.ports.work_refusal.WorkRefused.reason)
REFUSALS = ("busy", "away", "offline", "ringing", "on_call", "wrap_up", "unknown")
QUEUE_PAGE_ROWS = 200  # more than a small office has open at once; the page stays light
# built once: a Content-Type given as a header skips aiohttp's per-response parsing of it
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}
JSON_HEADERS = {"Content-Type": "application/json"}


# statuses the queue (open work) never holds: those tickets are listed from the store
LISTED_ELSEWHERE = ("pending", "resolved", "closed")


def _refuse_listed_elsewhere(request: web.Request, *, api: bool) -> None:
    """A queue asked for pending, resolved or closed work would show open work instead:
    the page goes to the ticket list, the API says where to ask."""
    if "status=" not in request.rel_url.raw_query_string:
        return
    status = request.query.get("status", "")
    if status not in LISTED_ELSEWHERE:
        return
    if api:
        raise WebInputError(f"the queue holds waiting, new and open work, not {status} "
                            f"tickets: ask /api/tickets?status={status}")
    raise web.HTTPSeeOther(f"/tickets?status={status}")


def _key(request: web.Request, kind: str, chosen: QueueFilter) -> Hashable:
    session = request[SESSION]
    assert session is not None
    # "me" depends on who asks; the HTML on the language
    mine = session.who.agent_id if chosen.assignee == "me" else None
    return (kind, chosen, mine, language_of(request) if kind != "json" else "")


async def _rows(request: web.Request, chosen: QueueFilter) -> list[WorkItemRow]:
    session = request[SESSION]
    assert session is not None
    backend = request.app[BACKEND]
    items = backend.board.items(QUEUE_PAGE_ROWS, chosen.matcher(session.who.agent_id))
    return chosen.rows(await backend.rows_for(items))


async def _people(request: web.Request) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    async def build() -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
        store = request.app[BACKEND].store
        return await store.call(active_agents), await store.call(all_teams)

    people: Any = await request.app[QUEUE_CACHE].get(("people",), build)
    return people  # type: ignore[no-any-return]


async def _rows_html(request: web.Request, chosen: QueueFilter) -> tuple[Markup, int]:
    """The table body as HTML, and how many rows it has."""
    async def build() -> tuple[Markup, int]:
        rows = await _rows(request, chosen)
        agents, _ = await _people(request)
        context = page_context(request)
        now = request.app[BACKEND].clock.now()
        context.update(items=rows, chosen=chosen, agent_names={a: n for a, n, _ in agents},
                       viewing=request.app[VIEWERS].by_ticket(),
                       waited=lambda since: waited_text((now - since).total_seconds()))
        html = environment().get_template("queue_rows.html").render(**context)
        return Markup(html), len(rows)  # rendered by the autoescaping template: safe

    built: Any = await request.app[QUEUE_CACHE].get(_key(request, "rows", chosen), build)
    return built  # type: ignore[no-any-return]


async def _after_calls(request: web.Request) -> list[tuple[int, str, datetime]]:
    """The signed-in agent's calls still to write down: (item id, caller, ended at)."""
    session = request[SESSION]
    assert session is not None
    backend = request.app[BACKEND]
    items = await backend.store.call(open_after_calls, session.who.agent_id)
    t = translator(language_of(request))
    return [(i.id, i.customer_name or shown_number(i.number, backend.region)
             or t("a withheld number"), i.opened_at) for i in items]


async def queue_page(request: web.Request) -> web.StreamResponse:
    """GET /: the open work items, the one to take first at the top."""
    _refuse_listed_elsewhere(request, api=False)
    raw_query = request.rel_url.raw_query_string
    chosen = QueueFilter.from_raw_query(raw_query)
    session = request[SESSION]
    assert session is not None
    empty = bool(raw_query) and bool(request.query.get("empty"))
    refused = request.query.get("refused", "") if raw_query else ""
    refused = refused if refused in REFUSALS else ""

    async def build() -> bytes:
        rows_html, count = await _rows_html(request, chosen)
        agents, teams = await _people(request)
        after_calls = await _after_calls(request)
        page = render(request, "queue.html", rows_html=rows_html, count=count,
                      after_calls=after_calls,
                      shown_max=QUEUE_PAGE_ROWS, chosen=chosen, channels=CHANNELS,
                      statuses=STATUSES, agents=agents, teams=teams, empty=empty,
                      refused=refused)
        return (page.text or "").encode()

    # the whole page holds this session's name and CSRF token: kept per session; and the
    # reader's own presence (the header's switch), which changes nothing else kept here
    mine = request.app[BACKEND].board.agent(session.who.agent_id)
    key = ("page", session.session_id, chosen, language_of(request), empty, refused,
           mine.presence if mine is not None else None)
    cache = request.app[QUEUE_CACHE]
    html: Any = cache.peek(key)
    if html is None:
        html = await cache.get(key, build)
    return await cached_response(request, cache, key, html, HTML_HEADERS)


async def queue_rows(request: web.Request) -> web.StreamResponse:
    """GET /queue/rows: the queue table's body alone, for the page's live refresh."""
    chosen = QueueFilter.from_raw_query(request.rel_url.raw_query_string)
    rows_html, _ = await _rows_html(request, chosen)
    return web.Response(text=str(rows_html), content_type="text/html", charset="utf-8")


async def queue_api(request: web.Request) -> web.StreamResponse:
    """GET /api/queue: the same rows as JSON, first to take first."""
    _refuse_listed_elsewhere(request, api=True)
    chosen = QueueFilter.from_raw_query(request.rel_url.raw_query_string)

    async def build() -> bytes:
        rows = await _rows(request, chosen)
        # no spaces and UTF-8 as it is (RFC 8259 §8.1): ≈ 10 % fewer bytes than json.dumps' default
        return json.dumps({"items": [row.json() for row in rows], "filter": chosen.query_string},
                          separators=(",", ":"), ensure_ascii=False).encode()

    key = _key(request, "json", chosen)
    cache = request.app[QUEUE_CACHE]
    body: Any = cache.peek(key)
    if body is None:
        body = await cache.get(key, build)
    return await cached_response(request, cache, key, body, JSON_HEADERS)


async def stats_api(request: web.Request) -> web.StreamResponse:
    """GET /api/stats: today's figures as JSON."""
    return web.json_response(await request.app[BACKEND].stats())
