"""A web backend over a real switchboard and ticket book, as the daemon's wiring builds it."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from appliance.mail.mail_desk import MailDeskService
from appliance.spine.bus import EventBus
from appliance.spine.clock import Clock
from appliance.store.tickets import TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.frame.store_backend import StoreWebBackend

ZONE = ZoneInfo("Europe/Helsinki")


async def loaded_board(store: StoreWorker, bus: EventBus, clock: Clock) -> Switchboard:
    """A switchboard that has read the store and follows `bus` (start the bus yourself)."""
    board = Switchboard(store, bus, clock)
    await board.load()
    board.attach()
    return board


def backend_on(store: StoreWorker, board: Switchboard, clock: Clock, bus: EventBus,
               **parts: Any) -> StoreWebBackend:
    """The page's backend over this switchboard, with its own ticket book filing through it.

    With a data directory it also gets the mail part's desk, as the box wires it.
    """
    tickets = TicketBook(store.db, bus, clock, worker=store)
    board.use_tickets(tickets)
    if "mail" not in parts and parts.get("data_dir") is not None:
        parts["mail"] = MailDeskService(store, bus, clock, parts.get("smtp"), parts["data_dir"])
    return StoreWebBackend(store, board, clock, ZONE, bus=bus, tickets=tickets, **parts)


async def board_backend(store: StoreWorker, clock: Clock, bus: EventBus | None = None,
                        **parts: Any) -> StoreWebBackend:
    """A loaded switchboard and the page's backend over it, in one step."""
    bus = bus or EventBus()
    return backend_on(store, await loaded_board(store, bus, clock), clock, bus, **parts)
