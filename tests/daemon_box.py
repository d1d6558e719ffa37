"""A throwaway box for daemon tests: a data directory, aspa.toml and a seeded store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession, CookieJar

from appliance.config.aspa_toml import load_config
from appliance.config.service_terms import business_calendar, sla_policy
from appliance.spine.clock import SystemClock
from appliance.store.accounts import Accounts
from appliance.store.startup import open_store
from appliance.store.ticket_records import TicketRecords

ADMIN_PASSWORD = "daemon-test-pass-1"
OPEN_SUBJECTS = ("Printer on fire", "Invoice 42 wrong", "Call me back")
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Box:
    """Where a test daemon keeps its things."""

    root: Path
    config_path: Path
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "aspa.db"


def make_box(root: Path, *, web_port: int = 0, extra_toml: str = "") -> Box:
    """aspa.toml with its data directory under `root`, the web page on `web_port`."""
    data_dir = root / "data"
    data_dir.mkdir()
    config_path = root / "aspa.toml"
    config_path.write_text(
        f'data_dir = "data"\n\n[web]\nhost = "127.0.0.1"\nport = {web_port}\n\n'
        f'[log]\nlevel = "info"\n{extra_toml}'
    )
    return Box(root=root, config_path=config_path, data_dir=data_dir)


def seed(box: Box) -> None:
    """An admin, three open tickets and one resolved, written the way the daemon writes them."""
    db = open_store(box.database)
    try:
        clock = SystemClock()
        Accounts(db, clock).add_user("Ada Admin", "admin", "admin", ADMIN_PASSWORD)
        config = load_config(box.config_path)  # the box's own hours and SLA targets
        records = TicketRecords(db, clock, policy=sla_policy(config),
                                calendar=business_calendar(config))
        for subject in OPEN_SUBJECTS:
            records.open_ticket("email", subject)
        done = records.open_ticket("email", "Already sorted").ticket
        records.change_status(done.id, "resolved")
    finally:
        db.close()


async def logged_in_session(base_url: str, password: str = ADMIN_PASSWORD, *,
                            login: str = "admin") -> ClientSession:
    """An HTTP client logged in (as the admin by default) through the real login form."""
    session = ClientSession(base_url=base_url, cookie_jar=CookieJar(unsafe=True))
    page = await (await session.get("/login")).text()
    match = _CSRF_FIELD.search(page)
    assert match, page
    response = await session.post("/login", allow_redirects=False, data={
        "login": login, "password": password, "csrf_token": match.group(1)})
    assert response.status == 303, await response.text()
    return session
