"""Merging by search: GET /tickets/{number}/merge?q= and /customers/{id}/merge?q= list what
the words find, each with its own merge button, instead of asking for a number or an id."""

from __future__ import annotations

from aiohttp import web

from appliance.store.search.query_terms import MAX_QUERY_CHARS
from appliance.store.search.results import search_for
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.rendering import render


async def ticket_merge_picker(request: web.Request) -> web.StreamResponse:
    """The tickets the words find, to merge this one into."""
    number = forms.path_number(request, "number")
    typed = request.query.get("q", "")[:MAX_QUERY_CHARS]
    store = request.app[BACKEND].store
    found = await store.call(search_for, store.db, typed)
    tickets = [t for t in found.tickets if t.number != number]
    return render(request, "merge_picker.html", kind="ticket", source=number, found=found,
                  tickets=tickets, customers=[], search_typed="", typed=typed)


async def customer_merge_picker(request: web.Request) -> web.StreamResponse:
    """The customers the words find, to move here."""
    customer_id = forms.path_number(request, "id")
    typed = request.query.get("q", "")[:MAX_QUERY_CHARS]
    store = request.app[BACKEND].store
    found = await store.call(search_for, store.db, typed)
    customers = [c for c in found.customers if c.id != customer_id]
    return render(request, "merge_picker.html", kind="customer", source=customer_id,
                  found=found, tickets=[], customers=customers, search_typed="", typed=typed)
