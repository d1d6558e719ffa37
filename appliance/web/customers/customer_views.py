"""A customer's page: history, numbers and addresses, VIP and account manager; merging two."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from appliance.privacy.audit import CHANGE, VIEW, Actor, record_audit
from appliance.spine.clock import Clock
from appliance.spine.events import CustomerChanged, CustomersMerged
from appliance.store.customers import CustomerDirectory
from appliance.store.errors import NotFound
from appliance.store.models import Agent, Customer, Ticket, database_proxy
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.errors import wants_json
from appliance.web.frame.flash import done_address
from appliance.web.frame.people import active_agents
from appliance.web.frame.rendering import render
from appliance.web.tickets.ticket_reads import TimelineEntry, contacts_of, customer_timeline

TICKETS_SHOWN = 50


@dataclass(slots=True)
class CustomerView:
    customer: Customer
    contacts: list[tuple[str, str]]
    tickets: list[Ticket]
    timeline: list[TimelineEntry]
    agents: list[tuple[int, str, str]]
    manager_name: str


def _view(customer_id: int, actor: Actor, clock: Clock) -> CustomerView:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    record_audit(actor, VIEW, customer_id, clock=clock)  # who looked at whose data
    tickets = list(Ticket.select().where(Ticket.customer == customer_id)
                   .order_by(Ticket.number.desc()).limit(TICKETS_SHOWN))
    manager = Agent.get_or_none(Agent.id == customer.account_manager_id) \
        if customer.account_manager_id else None
    return CustomerView(customer, contacts_of(customer_id), tickets,
                        customer_timeline(customer_id, []), active_agents(),
                        manager.name if manager else "")


def _json(view: CustomerView) -> dict[str, Any]:
    c = view.customer
    return {"id": c.id, "name": c.name, "vip": c.vip, "account_manager_id": c.account_manager_id,
            "notes": c.notes, "erased_at": c.erased_at.isoformat() if c.erased_at else None,
            "contacts": [{"kind": k, "value": v} for k, v in view.contacts],
            "tickets": [{"number": t.number, "subject": t.subject, "status": t.status}
                        for t in view.tickets],
            "timeline": [e.json() for e in view.timeline]}


async def customer_page(request: web.Request) -> web.StreamResponse:
    """GET /customers/{id}."""
    view = await request.app[BACKEND].store.call(_view, forms.path_number(request, "id"),
                                                 _actor(request), request.app[BACKEND].clock)
    if wants_json(request):
        return web.json_response(_json(view))
    return render(request, "customer.html", view=view)


def _actor(request: web.Request) -> Actor:
    session = request[SESSION]
    assert session is not None
    return Actor.agent(session.who.login, session.who.agent_id)


def _not_erased(customer_id: int) -> None:
    """An erased customer's row stays nameless: nothing personal may be added to it again."""
    row = Customer.select(Customer.erased_at).where(Customer.id == customer_id).tuples().first()
    if row is None:
        raise NotFound(f"customer {customer_id} does not exist")
    if row[0] is not None:
        raise web.HTTPConflict(text=f"customer {customer_id} was erased; nothing can be "
                                    "added to it. Create a new customer instead.")


def _update(customer_id: int, changes: dict[str, Any], actor: Actor, clock: Clock) -> None:
    with database_proxy.atomic():
        manager = changes.get("account_manager")
        if manager is not None and not Agent.select().where(Agent.id == manager).exists():
            raise NotFound(f"agent {manager} does not exist")
        _not_erased(customer_id)
        if changes:
            Customer.update(changes).where(Customer.id == customer_id).execute()
            # the names of the fields, never their values: the trail is no second copy
            record_audit(actor, CHANGE, customer_id, {"fields": sorted(changes)}, clock=clock)


async def customer_update(request: web.Request) -> web.StreamResponse:
    """POST /customers/{id}: name, VIP, account manager and notes.

    The form sends every field (an unticked VIP box is absent: not VIP); the JSON API
    changes only the fields it names.
    """
    customer_id = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    whole = not wants_json(request)
    changes: dict[str, Any] = {}
    if whole or "name" in fields:
        changes["name"] = forms.text(fields, "name", max_chars=200, required=False)
    if whole or "vip" in fields:
        changes["vip"] = forms.flag(fields, "vip")
    if whole or "account_manager" in fields:
        changes["account_manager"] = forms.optional_id(fields, "account_manager")
    if whole or "notes" in fields:
        changes["notes"] = forms.text(fields, "notes", max_chars=10_000, required=False)
    backend = request.app[BACKEND]
    await backend.store.call(_update, customer_id, changes, _actor(request), backend.clock)
    # VIP and account manager change how their open work is queued: the switchboard hears
    backend.bus.publish(CustomerChanged(at=backend.clock.now(), customer_id=customer_id,
                                        fields=tuple(sorted(changes))))
    return _back(request, customer_id)


async def contact_add(request: web.Request) -> web.StreamResponse:
    """POST /customers/{id}/contacts: another phone number or email address."""
    customer_id = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    kind = forms.choice(fields, "kind", ("phone", "email"))
    value = forms.text(fields, "value", max_chars=320)
    directory = CustomerDirectory(request.app[BACKEND].store.db)
    actor, clock = _actor(request), request.app[BACKEND].clock

    def add() -> None:
        with database_proxy.atomic():
            _not_erased(customer_id)
            directory.add_contact(customer_id, kind, value)
            record_audit(actor, CHANGE, customer_id, {"fields": ["contacts"]}, clock=clock)

    await request.app[BACKEND].store.call(add)
    request.app[BACKEND].bus.publish(CustomerChanged(at=clock.now(), customer_id=customer_id,
                                                     fields=("contacts",)))
    return _back(request, customer_id)


async def customer_merge(request: web.Request) -> web.StreamResponse:
    """POST /customers/{id}/merge {other}: the other customer's everything moves here."""
    keep = forms.path_number(request, "id")
    fields = await forms.submitted(request)
    gone = forms.required_id(fields, "other")
    directory = CustomerDirectory(request.app[BACKEND].store.db)
    actor, clock = _actor(request), request.app[BACKEND].clock

    def merge() -> None:
        with database_proxy.atomic():
            _not_erased(keep)
            directory.merge(keep, gone)
            record_audit(actor, CHANGE, keep, {"fields": ["merge"], "merged_from": gone},
                         clock=clock)

    await request.app[BACKEND].store.call(merge)
    request.app[BACKEND].bus.publish(CustomersMerged(at=clock.now(), customer_id=keep,
                                                     gone_id=gone))
    return _back(request, keep)


def _back(request: web.Request, customer_id: int) -> web.StreamResponse:
    if wants_json(request):
        return web.json_response({"ok": True, "id": customer_id})
    raise web.HTTPSeeOther(done_address(f"/customers/{customer_id}"))
