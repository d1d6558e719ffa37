"""GET /tickets and /customers: every ticket by status, assignee and customer, and every
customer, a page at a time (JSON under /api/). Wrong filters get a 400 that names them."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from appliance.store.errors import InvalidInput
from appliance.store.ticket_lists import (
    STATUSES,
    TicketListing,
    list_customers,
    list_tickets,
)
from appliance.store.ticket_tags import TAG_MAX_CHARS, BadTag, known_tags, normalise_tag
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import FieldError, wants_json
from appliance.web.frame.people import active_agents
from appliance.web.frame.rendering import render
from appliance.web.tickets.tag_views import TYPED_MAX_CHARS

ID_MAX_DIGITS = 12


def _number(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > ID_MAX_DIGITS:
        raise InvalidInput(f"{name} must be a whole number")
    return int(raw)


def _page(query: Mapping[str, str]) -> int:
    page = _number(query, "page")
    return 1 if page is None else page


def listing_of(request: web.Request) -> TicketListing:
    """The list's filters from the query string; "me" is the agent asking."""
    query = request.query
    assignee = query.get("assignee", "").strip()
    if assignee == "me":
        session = request[SESSION]
        assert session is not None
        assignee = str(session.who.agent_id)
    return TicketListing(status=query.get("status", "").strip(), assignee=assignee,
                         customer_id=_number(query, "customer"),
                         page=_page(query), tag=_tag(query))


def _tag(query: Mapping[str, str]) -> str:
    """The `tag` filter, normalised; an unusable one is refused in the person's language."""
    typed = query.get("tag", "").strip()
    if len(typed) > TYPED_MAX_CHARS:
        raise FieldError("tag", "too long: at most {count} characters", count=TAG_MAX_CHARS)
    try:
        return normalise_tag(typed) if typed else ""
    except BadTag as error:
        raise FieldError("tag", error.what, **error.values) from None


def _page_link(request: web.Request, page: int) -> str:
    pairs = {k: v for k, v in request.query.items() if k != "page" and v}
    return f"{request.path}?{urlencode({**pairs, 'page': page})}"


async def ticket_list(request: web.Request) -> web.StreamResponse:
    """GET /tickets?status=&assignee=&customer=&tag=&page=."""
    listing = listing_of(request)
    store = request.app[BACKEND].store
    page = await store.call(list_tickets, listing)
    if wants_json(request):
        return web.json_response({"tickets": [line.json() for line in page.rows],
                                  "total": page.total, "page": page.page,
                                  "pages": page.pages})
    agents = await store.call(active_agents)
    tags = await store.call(known_tags)
    return render(request, "tickets.html", listing=listing, page=page, statuses=STATUSES,
                  agents=agents, tags=tags, previous=_page_link(request, page.page - 1),
                  following=_page_link(request, page.page + 1))


async def customer_list(request: web.Request) -> web.StreamResponse:
    """GET /customers?page=."""
    number = _page(request.query)
    page = await request.app[BACKEND].store.call(list_customers, number)
    if wants_json(request):
        return web.json_response({"customers": [line.json() for line in page.rows],
                                  "total": page.total, "page": page.page,
                                  "pages": page.pages})
    return render(request, "customers.html", page=page,
                  previous=_page_link(request, page.page - 1),
                  following=_page_link(request, page.page + 1))
