"""The web app on a real store (SQLite in a temp dir) through aiohttp's test client."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from appliance.spine.bus import EventBus
from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.customers import CustomerDirectory
from appliance.store.startup import open_store
from appliance.store.tickets import MessageDraft, TicketBook
from appliance.store.worker import StoreWorker
from appliance.switchboard.switchboard import Switchboard
from appliance.web.app import make_app
from appliance.web.frame.store_backend import StoreWebBackend
from tests.web.board_backend import backend_on, loaded_board

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "kissa-koira-42"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StoreWorker]:
    db = open_store(tmp_path / "aspa.db")
    db.close()
    worker = StoreWorker(db)
    yield worker
    worker.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(store: StoreWorker, clock: ManualClock) -> Accounts:
    return Accounts(store.db, clock)


@pytest.fixture
async def admin_id(store: StoreWorker, accounts: Accounts) -> int:
    agent = await store.call(accounts.add_user, "Admin Example", ADMIN_LOGIN, "admin",
                             ADMIN_PASSWORD)
    return int(agent.id)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
async def board(store: StoreWorker, bus: EventBus, clock: ManualClock,
                admin_id: int) -> AsyncIterator[Switchboard]:
    """The switchboard on a running bus, loaded and following it, as in the daemon."""
    switchboard = await loaded_board(store, bus, clock)
    bus.start()
    yield switchboard
    await bus.stop()


@pytest.fixture
def backend(store: StoreWorker, board: Switchboard, clock: ManualClock, bus: EventBus,
            tmp_path: Path) -> StoreWebBackend:
    return backend_on(store, board, clock, bus, data_dir=tmp_path)


@pytest.fixture
def tickets(backend: StoreWebBackend) -> TicketBook:
    return backend.tickets


@pytest.fixture
async def client(backend: StoreWebBackend, clock: ManualClock) -> AsyncIterator[TestClient]:
    app = make_app(backend, secret_key=secrets.token_bytes(32), clock=clock)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def csrf_token_in(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = _CSRF_FIELD.search(html)
    assert match, "the page has no CSRF token field"
    return match.group(1)


async def login_token(client: TestClient) -> str:
    response = await client.get("/login")
    assert response.status == 200
    return csrf_token_in(await response.text())


async def log_in(client: TestClient, login: str = ADMIN_LOGIN,
                 password: str = ADMIN_PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the logged-in pages."""
    token = await login_token(client)
    response = await client.post("/login", data={"login": login, "password": password,
                                                 "csrf_token": token}, allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await client.get("/")
    assert page.status == 200
    return csrf_token_in(await page.text())


async def open_sample_ticket(tickets: TicketBook, *, subject: str = "Printer is broken",
                             sender: str = "Maija Meikäläinen <maija@example.fi>",
                             body: str = "It prints nothing.", phone: str = "+358401234567",
                             name: str = "Maija Meikäläinen", channel: str = "email") -> int:
    """A customer with an email address and a phone, and ticket #1001+ with her first mail."""
    directory = CustomerDirectory(tickets.worker.db)
    customer, _ = await tickets.worker.call(directory.find_or_create, "email",
                                            "maija@example.fi", name=name)
    await tickets.worker.call(directory.add_contact, customer.id, "phone", phone)
    ticket = await tickets.open_ticket(channel, subject, customer.id, message=MessageDraft(
        channel="email" if channel == "email" else "sms", direction="in", body_text=body,
        sender=sender, subject=subject))
    return int(ticket.number)
