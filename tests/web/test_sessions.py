"""Sessions expire when idle, are bounded in number and can be ended for one agent everywhere."""

from __future__ import annotations

import secrets
from datetime import timedelta

from appliance.clock import ManualClock
from appliance.web import sessions
from appliance.web.sessions import SessionStore, SignedIn

ANNA = SignedIn(agent_id=1, login="anna", name="Anna", role="agent")
BENGT = SignedIn(agent_id=2, login="bengt", name="Bengt", role="agent")


def _store(clock: ManualClock) -> SessionStore:
    return SessionStore(secrets.token_bytes(32), clock, timedelta(hours=1))


def test_idle_sessions_expire_and_use_keeps_them_alive() -> None:
    clock = ManualClock()
    store = _store(clock)
    session = store.create(ANNA)
    cookie = store.cookie_value(session)
    clock.advance(timedelta(minutes=50))
    assert store.find(cookie) is session
    clock.advance(timedelta(minutes=50))
    assert store.find(cookie) is session  # used 50 min ago: still alive
    clock.advance(timedelta(hours=1))
    assert store.find(cookie) is None
    assert len(store) == 0


def test_a_cookie_from_another_box_is_refused() -> None:
    clock = ManualClock()
    ours, theirs = _store(clock), _store(clock)
    assert ours.find(theirs.cookie_value(theirs.create(ANNA))) is None


def test_end_all_for_one_agent() -> None:
    store = _store(ManualClock())
    a1, a2, b = store.create(ANNA), store.create(ANNA), store.create(BENGT)
    store.end_all_for(ANNA.agent_id)
    assert store.find(store.cookie_value(a1)) is None
    assert store.find(store.cookie_value(a2)) is None
    assert store.find(store.cookie_value(b)) is b


def test_the_table_is_bounded() -> None:
    clock = ManualClock()
    store = _store(clock)
    first = store.create(ANNA)
    for _ in range(sessions.MAX_SESSIONS):
        clock.advance(1)
        store.create(BENGT)
    assert len(store) == sessions.MAX_SESSIONS
    assert store.find(store.cookie_value(first)) is None  # the longest idle went first


def test_each_session_has_its_own_csrf_token() -> None:
    store = _store(ManualClock())
    assert store.create(ANNA).csrf_token != store.create(ANNA).csrf_token
