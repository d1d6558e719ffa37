"""Live updates over server-sent events (WHATWG HTML §9.2): one bus subscription, many pages.

A page gets the kind and ids of each change, never customer text, and
fetches what it shows again; so nothing from mail or SMS reaches the page
unescaped through this channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from appliance.ports.notices import OpenPages
from appliance.spine.bus import EventBus, Subscription
from appliance.spine.events import AgentNotified, Event, PresenceChanged, TicketReturned
from appliance.web.frame.app_keys import BACKEND, LIVE, SESSION, SESSIONS, VIEWERS, WALL, WALLS

log = logging.getLogger("aspa.web")

CLIENT_QUEUE_MAX = 500  # a page this far behind is dropped and reconnects
CatchUp = Callable[[int | None], Awaitable[None]]
KEEPALIVE_S = 15.0  # a comment line keeps proxies and the browser from timing out
CATCH_UP_S = 1.0  # wait this long for the switchboard's picture before telling pages
RETRY_MS = 2000  # the browser reconnects after this long (the `retry:` field)
PAGE_NOTICES = ("assigned", "sla_warning", "sla_breach")  # AgentNotified shown by the page
LIVE_EVENT_KINDS = ("ticket.", "message.", "call.", "callback.", "presence.", "quarantine.",
                    "agent.", "customer.", "retention.", "after_call.")


class LiveClient:
    """One open event stream."""

    def __init__(self, agent_id: int, screen_id: int | None = None) -> None:
        self.agent_id = agent_id  # 0 for a wall screen
        self.screen_id = screen_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(CLIENT_QUEUE_MAX)
        self.lagging = False

    def offer(self, data: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.lagging = True


class LiveHub:
    """Fans bus events out to the open streams."""

    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self.clients: set[LiveClient] = set()
        self._on_change = on_change
        self._subscription: Subscription | None = None
        self._bus: EventBus | None = None
        self._caught_up: CatchUp | None = None
        self.pages: OpenPages | None = None  # each agent's open pages, for notices

    def attach(self, bus: EventBus, caught_up: CatchUp | None = None) -> None:
        """Follow the bus; `caught_up` waits for the queue's picture to include an event."""
        self._bus = bus
        self._caught_up = caught_up
        self._subscription = bus.subscribe("web-live", self._on_event)

    def detach(self) -> None:
        if self._bus is not None and self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
        self._subscription = None

    async def _on_event(self, event: Event) -> None:
        # the switchboard files the change first, so a page that reloads its queue sees it
        # (this change: what came after may still be queued, in a burst for long)
        if self._caught_up is not None:
            through = self._subscription.handling if self._subscription is not None else None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CATCH_UP_S):
                    await self._caught_up(through)
        if not isinstance(event, PresenceChanged):
            # after the filing: a view rendered from now on includes this event. No cached
            # view shows presence (a queue page's key holds its reader's own), so desks
            # flicking busy/free do not make every page render again
            self._on_change()
        if isinstance(event, AgentNotified):
            if (event.agent_id is not None and event.notice in PAGE_NOTICES
                    and event.number is not None):  # a grouped notice went by mail or SMS
                # that agent's open pages say it; mentions and returns are said already
                self.tell_agent(event.agent_id, {"kind": "notified", "notice": event.notice,
                                                 "number": event.number})
            return
        if event.kind.startswith(LIVE_EVENT_KINDS) and self.clients:
            self.broadcast(_summary(event))
        if isinstance(event, TicketReturned) and event.assignee_id is not None:
            # the assignee's open pages say it, whichever page they are on
            self.tell_agent(event.assignee_id, {"kind": "returned", "number": event.number,
                                                "why": event.why})

    def broadcast(self, data: dict[str, Any]) -> None:
        if data.get("kind") == "viewers":
            self._on_change()  # the queue shows who views what
        for client in list(self.clients):
            client.offer(data)

    def unpair(self, screen_id: int) -> None:
        """A revoked wall screen's streams say so and end."""
        for client in list(self.clients):
            if client.screen_id == screen_id:
                client.offer({"kind": "unpaired"})
                client.lagging = True

    def tell_agent(self, agent_id: int, data: dict[str, Any]) -> None:
        for client in list(self.clients):
            if client.agent_id == agent_id:
                client.offer(data)


def _summary(event: Event) -> dict[str, Any]:
    """Kind and ids only: the page fetches the rest through its escaping templates."""
    data: dict[str, Any] = {"kind": event.kind, "at": event.at.isoformat()}
    for name in ("ticket_id", "customer_id", "agent_id"):
        value = getattr(event, name)
        if value is not None:
            data[name] = value
    for name in ("number", "presence", "activity", "new_status"):
        value = getattr(event, name, None)
        if isinstance(value, int | str):
            data[name] = value
    return data


def _frame(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


async def event_stream(request: web.Request) -> web.StreamResponse:
    """GET /events[?ticket=ID]: this page's stream; with a ticket, others see me viewing it.

    A paired wall screen gets the stream too (no ticket viewing): the wallboard follows it.
    """
    session = request[SESSION]
    screen = request.get(WALL)
    hub = request.app[LIVE]
    viewers = request.app[VIEWERS]
    ticket = request.query.get("ticket", "") if session is not None else ""
    ticket_id = int(ticket) if ticket.isdigit() and len(ticket) < 12 else None
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    await response.write(f"retry: {RETRY_MS}\n\n".encode())
    if session is not None:
        client = LiveClient(session.who.agent_id)
    else:
        assert screen is not None  # the gate lets no other browser in
        client = LiveClient(0, screen.screen_id)
    hub.clients.add(client)
    if session is not None and hub.pages is not None:
        hub.pages.opened(session.who.agent_id)
    if session is not None and ticket_id is not None:
        viewers.opened(ticket_id, session.who.agent_id, session.who.name)
        hub.broadcast({"kind": "viewers", "ticket_id": ticket_id})
    try:
        await response.write(_frame({"kind": "hello"}))
        while not client.lagging:
            try:
                async with asyncio.timeout(KEEPALIVE_S):
                    data = await client.queue.get()
            except TimeoutError:
                if not await _still_valid(request):
                    break
                await response.write(b": keepalive\n\n")
                continue
            await response.write(_frame(data))
    except ConnectionResetError:
        pass  # the page went away
    finally:
        hub.clients.discard(client)
        if session is not None and hub.pages is not None:
            hub.pages.closed(session.who.agent_id)
        if session is not None and ticket_id is not None:
            viewers.closed(ticket_id, session.who.agent_id)
            hub.broadcast({"kind": "viewers", "ticket_id": ticket_id})
    return response


async def _still_valid(request: web.Request) -> bool:
    """False once the session ended or its password changed: the stream closes too."""
    session = request[SESSION]
    if session is None:
        screen = request.get(WALL)
        return screen is not None and request.app[WALLS].is_live(screen)
    if not request.app[SESSIONS].is_live(session):
        return False
    changed = await request.app[BACKEND].password_changed_at(session.who.agent_id)
    return changed is not None and changed <= session.started_at
