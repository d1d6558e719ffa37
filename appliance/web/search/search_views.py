"""GET /search and /api/search: tickets, messages, notes and customers, best first.

Whatever is typed is answered: plain words are searched, the rest is dropped
(`appliance.store.search.query_terms`), and a search with nothing to find says so.
The header's box asks by GET (it holds at most 500 characters); a longer text, which a
request line over aiohttp's 8 KB limit could not carry, is searched by POST with the
same answer.
"""

from __future__ import annotations

from aiohttp import web

from appliance.store.search.query_terms import MAX_QUERY_CHARS
from appliance.store.search.results import search_for
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import WebInputError, wants_json
from appliance.web.frame.rendering import render


async def search_page(request: web.Request) -> web.StreamResponse:
    """GET /search?q=: the results page (JSON under /api/)."""
    return await _answer(request, request.query.get("q", ""))


async def search_posted(request: web.Request) -> web.StreamResponse:
    """POST /search (field q, form or JSON): the same answer, for text too long for a URL."""
    typed = (await forms.submitted(request)).get("q", "")
    if not isinstance(typed, str):
        raise WebInputError("q must be text")
    return await _answer(request, typed)


async def _answer(request: web.Request, typed: str) -> web.StreamResponse:
    typed = typed[:MAX_QUERY_CHARS]
    store = request.app[BACKEND].store
    found = await store.call(search_for, store.db, typed)
    if wants_json(request):
        return web.json_response(found.json())
    return render(request, "search.html", found=found, search_typed=typed)
