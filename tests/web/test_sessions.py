"""Sessions live in the store: idle and absolute ends, one account's bound, only a token's hash."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from appliance.spine.clock import ManualClock
from appliance.store.accounts import Accounts
from appliance.store.worker import StoreWorker
from appliance.web.frame import sessions
from appliance.web.frame.sessions import NOT_CACHED, Session, SessionStore, SignedIn

IDLE = timedelta(hours=1)
LIFETIME = timedelta(hours=5)
KEY = b"k" * 32


@pytest.fixture
async def anna(store: StoreWorker, accounts: Accounts) -> SignedIn:
    agent = await store.call(accounts.add_user, "Anna", "anna", "agent", "anna-salasana-1")
    return SignedIn(agent_id=agent.id, login="anna", name="Anna", role="agent")


@pytest.fixture
async def bengt(store: StoreWorker, accounts: Accounts) -> SignedIn:
    agent = await store.call(accounts.add_user, "Bengt", "bengt", "agent", "bengt-salasana-1")
    return SignedIn(agent_id=agent.id, login="bengt", name="Bengt", role="agent")


def _sessions(store: StoreWorker, clock: ManualClock, key: bytes = KEY) -> SessionStore:
    return SessionStore(key, clock, store, idle=IDLE, lifetime=LIFETIME)


async def _find(table: SessionStore, cookie: str) -> Session | None:
    found = table.find_cached(cookie)
    return await table.load(cookie) if found is NOT_CACHED else found


def _rows(db_file: Path) -> list[dict[str, object]]:
    """The sessions' table as SQLite has it on disk."""
    conn = sqlite3.connect(db_file)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM web_session ORDER BY id")]
    finally:
        conn.close()


async def test_the_token_is_not_stored_in_clear(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    token = session.cookie.partition(".")[0]
    rows = _rows(tmp_path / "aspa.db")
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert rows[0]["agent_id"] == anna.agent_id and rows[0]["role"] == "agent"
    stored = " ".join(str(v) for v in rows[0].values())
    assert token not in stored and session.cookie not in stored
    assert session.csrf_token not in stored  # made from the token, never kept


async def test_idle_sessions_expire_and_use_keeps_them_alive(
    store: StoreWorker, clock: ManualClock, anna: SignedIn
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    clock.advance(timedelta(minutes=50))
    assert await _find(table, session.cookie) is session
    clock.advance(timedelta(minutes=50))
    assert await _find(table, session.cookie) is session  # used 50 min ago: still alive
    # and so it is for a restarted box, which reads the table
    assert await _find(_sessions(store, clock), session.cookie) is not None
    clock.advance(IDLE)
    assert await _find(table, session.cookie) is None
    assert await _find(_sessions(store, clock), session.cookie) is None
    assert len(table) == 0


async def test_a_session_ends_at_its_lifetime_however_much_it_is_used(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    for _ in range(9):
        clock.advance(timedelta(minutes=30))
        assert await _find(table, session.cookie) is session
    clock.advance(timedelta(minutes=29))
    assert await _find(_sessions(store, clock), session.cookie) is not None  # 4 h 59 min
    clock.advance(timedelta(minutes=1))
    assert await _find(table, session.cookie) is None
    assert await _find(_sessions(store, clock), session.cookie) is None
    await table.purge_expired()
    assert _rows(tmp_path / "aspa.db") == []


async def test_last_use_is_written_at_most_once_a_minute(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    started = _rows(tmp_path / "aspa.db")[0]["last_seen_at"]
    for _ in range(50):
        clock.advance(1)
        assert table.find_cached(session.cookie) is session  # from memory: no coroutine
    await store.call(lambda: None)  # whatever was queued to the store thread is done
    assert _rows(tmp_path / "aspa.db")[0]["last_seen_at"] == started
    clock.advance(10)
    assert table.find_cached(session.cookie) is session
    await store.call(lambda: None)
    row = _rows(tmp_path / "aspa.db")[0]
    assert row["last_seen_at"] != started
    assert str(row["last_seen_at"]).startswith(
        clock.now().replace(tzinfo=None).isoformat(sep=" "))


async def test_expired_rows_are_purged_at_the_next_login_an_hour_on(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, bengt: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    await table.saved(table.create(anna))
    clock.advance(IDLE + timedelta(minutes=1))
    await table.saved(table.create(bengt))
    assert [r["agent_id"] for r in _rows(tmp_path / "aspa.db")] == [bengt.agent_id]


async def test_end_all_for_one_agent(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, bengt: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    a1, a2, b = table.create(anna), table.create(anna), table.create(bengt)
    await table.saved(b)
    restarted = _sessions(store, clock)
    assert await _find(restarted, a1.cookie) is not None  # a1 in the memory of `restarted`
    await table.end_all_for(anna.agent_id)
    assert await _find(table, a1.cookie) is None
    assert await _find(table, a2.cookie) is None
    assert await _find(table, b.cookie) is b
    assert [r["agent_id"] for r in _rows(tmp_path / "aspa.db")] == [bengt.agent_id]
    fresh = _sessions(store, clock)
    assert await _find(fresh, a2.cookie) is None
    assert await _find(fresh, b.cookie) is not None


async def test_logout_ends_the_row_too(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    await table.end(session)
    assert _rows(tmp_path / "aspa.db") == []
    assert await _find(_sessions(store, clock), session.cookie) is None


async def test_a_password_changed_while_the_box_was_off_ends_stored_sessions(
    store: StoreWorker, clock: ManualClock, accounts: Accounts, anna: SignedIn
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    clock.advance(60)
    await store.call(accounts.change_password, anna.agent_id, "uusi-salasana-2")
    assert await _find(_sessions(store, clock), session.cookie) is None


async def test_a_role_changed_while_the_box_was_off_ends_stored_sessions(
    store: StoreWorker, clock: ManualClock, accounts: Accounts, anna: SignedIn
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    await store.call(accounts.set_role, anna.agent_id, "admin")
    assert await _find(_sessions(store, clock), session.cookie) is None


async def test_one_accounts_sessions_are_bounded(
    store: StoreWorker, clock: ManualClock, anna: SignedIn, bengt: SignedIn, tmp_path: Path
) -> None:
    table = _sessions(store, clock)
    first = table.create(anna)
    others = table.create(bengt)
    for _ in range(sessions.MAX_PER_AGENT):
        clock.advance(1)
        table.create(anna)
    await store.call(lambda: None)
    rows = _rows(tmp_path / "aspa.db")
    assert sum(r["agent_id"] == anna.agent_id for r in rows) == sessions.MAX_PER_AGENT
    assert await _find(table, first.cookie) is None  # the longest idle went first
    assert await _find(table, others.cookie) is others  # not another account's


async def test_only_the_issued_cookie_finds_its_session(
    store: StoreWorker, clock: ManualClock, anna: SignedIn
) -> None:
    table = _sessions(store, clock)
    session = table.create(anna)
    await table.saved(session)
    restarted = _sessions(store, clock)
    token, _, signature = session.cookie.partition(".")
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert await _find(restarted, f"{token}.{tampered}") is None
    assert await _find(restarted, token) is None
    assert await _find(restarted, "") is None
    other_box = _sessions(store, clock, key=b"o" * 32)
    assert await _find(other_box, session.cookie) is None
    assert await _find(restarted, session.cookie) is not None


async def test_each_session_has_its_own_csrf_token_and_keeps_it_across_a_restart(
    store: StoreWorker, clock: ManualClock, anna: SignedIn
) -> None:
    table = _sessions(store, clock)
    one, two = table.create(anna), table.create(anna)
    assert one.csrf_token != two.csrf_token
    await table.saved(two)
    found = await _find(_sessions(store, clock), one.cookie)
    assert found is not None and found.csrf_token == one.csrf_token
    assert found.who == anna
