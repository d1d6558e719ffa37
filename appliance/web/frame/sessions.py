"""Login sessions: a random token in a signed cookie, the session kept in the store.

The cookie carries `<token>.<HMAC-SHA256(key, token)>` (RFC 2104); the store
keeps only the token's SHA-256, so a copy of the database logs nobody in, and
a session outlives a restart of the box. A cookie whose signature is wrong
costs no database read. Sessions found once are kept in memory: a request
costs a dict lookup, and last use is written back at most once a minute.
Every ending (logout, password or role change, deactivation) goes to the
memory at once and to the table in the store thread's order.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from appliance.spine.clock import Clock
from appliance.store.worker import StoreWorker
from appliance.web.frame import session_rows
from appliance.web.frame.session_rows import SessionRow

log = logging.getLogger("aspa.web.sessions")

COOKIE_NAME = "aspa_session"
MAX_PER_AGENT = 50  # one account's sessions; beyond this its longest idle go first
TOUCH_EVERY = timedelta(minutes=1)  # last use is written back at most this often per session
PURGE_EVERY = timedelta(hours=1)  # expired rows are deleted at most this often (and at start)
DEAD_REMEMBERED = 1024  # signed cookies known to name no session: no second database read
NOT_CACHED: Any = object()  # find_cached: not in memory, ask `load`


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a session belongs to."""

    agent_id: int
    login: str
    name: str
    role: str
    language: str | None = None  # fi / en; None: from the browser

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(slots=True)
class Session:
    """One logged-in browser."""

    session_id: str  # the token's SHA-256 (hex), as the table keeps it
    who: SignedIn
    csrf_token: str
    started_at: datetime
    last_seen: datetime
    expires: datetime  # min(last_seen + idle, ends_at)
    ends_at: datetime  # the absolute end
    idle: timedelta
    cookie: str = ""  # `<token>.<signature>` as issued
    written_seen: datetime | None = None  # last_seen as the table has it
    saving: asyncio.Future[Any] | None = None  # the row's insert, until `saved`


def sign(key: bytes, value: str) -> str:
    """The hex HMAC-SHA256 of `value` under the box key."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """What the table keeps of a session's token (FIPS 180-4 SHA-256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("web sessions: the store refused a change: %s", future.exception())


class SessionStore:
    """Creates, finds and ends sessions; they end when idle for `idle` or after `lifetime`."""

    def __init__(self, key: bytes, clock: Clock, store: StoreWorker, *, idle: timedelta,
                 lifetime: timedelta) -> None:
        self._key = key
        self._clock = clock
        self._store = store
        self._idle = idle
        self._lifetime = lifetime
        self._by_cookie: dict[str, Session] = {}  # issued cookie value -> live session
        self._dead: OrderedDict[str, None] = OrderedDict()
        self._endings = 0  # moves on at every ending: a load under way reads again
        self._purged_at: datetime | None = None

    def create(self, who: SignedIn) -> Session:
        """A fresh session (never reuse a token from before login: session fixation).

        Usable at once; the row is queued to the store thread (`saved` awaits it).
        """
        now = self._clock.now()
        self._maybe_purge(now)
        token = secrets.token_urlsafe(32)
        ends_at = now + self._lifetime
        session = Session(session_id=token_hash(token), who=who,
                          csrf_token=sign(self._key, "csrf:" + token), started_at=now,
                          last_seen=now, expires=min(now + self._idle, ends_at), ends_at=ends_at,
                          idle=self._idle, cookie=f"{token}.{sign(self._key, token)}",
                          written_seen=now)
        self._by_cookie[session.cookie] = session
        future = self._store.submit(
            session_rows.insert_session, session.session_id, who.agent_id, who.role,
            who.language, now, int(self._idle.total_seconds()), ends_at, session.expires,
            MAX_PER_AGENT)
        future.add_done_callback(self._after_insert(session))
        session.saving = future
        return session

    async def saved(self, session: Session) -> None:
        """Wait until the session's row is in the store (then a restart keeps it)."""
        if session.saving is not None:
            await session.saving  # a refused insert raises here (the session is already gone)
            session.saving = None

    def _after_insert(self, session: Session) -> Callable[[asyncio.Future[list[str]]], None]:
        def done(future: asyncio.Future[list[str]]) -> None:
            if future.cancelled() or future.exception() is not None:
                _log_failure(future)
                self._forget(session)  # not stored: it would not survive a restart
                return
            for dropped in future.result():
                for cached in [s for s in self._by_cookie.values() if s.session_id == dropped]:
                    self._forget(cached)
        return done

    def cookie_value(self, session: Session) -> str:
        return session.cookie

    def find_cached(self, cookie_value: str) -> Any:
        """The live session in memory for this cookie, None, or NOT_CACHED (then `load`)."""
        session = self._by_cookie.get(cookie_value)
        if session is None:
            return NOT_CACHED if cookie_value else None
        now = self._clock.now()
        if now >= session.expires:
            self.end(session)
            return None
        session.last_seen = now
        session.expires = min(now + session.idle, session.ends_at)
        written = session.written_seen
        if written is None or now - written >= TOUCH_EVERY:
            session.written_seen = now
            self._store.submit(session_rows.touch_session, session.session_id, now,
                               session.expires).add_done_callback(_log_failure)
            self._maybe_purge(now)
        return session

    async def load(self, cookie_value: str) -> Session | None:
        """The session a cookie names, read from the store; None for forged or ended ones."""
        token, dot, signature = cookie_value.partition(".")
        if not dot or not hmac.compare_digest(signature, sign(self._key, token)):
            return None  # not issued by this box: no database read
        if cookie_value in self._dead:
            return None
        hashed = token_hash(token)
        while True:
            endings = self._endings
            row = await self._store.call(session_rows.load_session, hashed)
            if endings == self._endings:
                break  # nothing ended while reading; else read again, after the ending
        cached = self.find_cached(cookie_value)
        if cached is not NOT_CACHED:
            return cast(Session | None, cached)  # loaded meanwhile by another request
        now = self._clock.now()
        if row is None or not row.still_holds(now):
            self._remember_dead(cookie_value)
            if row is not None:
                self._store.submit(session_rows.delete_session, hashed).add_done_callback(
                    _log_failure)
            return None
        session = self._from_row(row, hashed, token, cookie_value)
        self._by_cookie[cookie_value] = session
        return cast(Session | None, self.find_cached(cookie_value))  # counts this use

    def _from_row(self, row: SessionRow, hashed: str, token: str, cookie: str) -> Session:
        who = SignedIn(agent_id=row.agent_id, login=row.login, name=row.name, role=row.role,
                       language=row.language)
        return Session(session_id=hashed, who=who, csrf_token=sign(self._key, "csrf:" + token),
                       started_at=row.created_at, last_seen=row.last_seen_at,
                       expires=row.expires_at, ends_at=row.ends_at,
                       idle=timedelta(seconds=row.idle_timeout_s), cookie=cookie,
                       written_seen=row.last_seen_at)

    def is_live(self, session: Session) -> bool:
        """True while the session has not been ended or expired."""
        return self._by_cookie.get(session.cookie) is session and (
            self._clock.now() < session.expires)

    def end(self, session: Session) -> asyncio.Future[None]:
        """End one session now; the future is done once the table has forgotten it."""
        self._forget(session)
        future = self._store.submit(session_rows.delete_session, session.session_id)
        future.add_done_callback(_log_failure)
        return future

    def end_all_for(self, agent_id: int) -> asyncio.Future[int]:
        """Log an agent out everywhere, e.g. after a password change; at once in memory."""
        for session in [s for s in self._by_cookie.values() if s.who.agent_id == agent_id]:
            self._forget(session)
        self._endings += 1  # also those not in memory now
        future = self._store.submit(session_rows.delete_agent_sessions, agent_id)
        future.add_done_callback(_log_failure)
        return future

    def rename_language(self, agent_id: int, language: str | None) -> asyncio.Future[None]:
        """Show this agent's open sessions in another language from the next page on."""
        for session in self._by_cookie.values():
            if session.who.agent_id == agent_id:
                session.who = replace(session.who, language=language)
        future = self._store.submit(session_rows.set_sessions_language, agent_id, language)
        future.add_done_callback(_log_failure)
        return future

    async def purge_expired(self) -> int:
        """Delete the expired sessions from the table and from memory; how many rows went."""
        now = self._clock.now()
        self._purged_at = now
        self._forget_expired(now)
        return await self._store.call(session_rows.purge_expired, now)

    def _maybe_purge(self, now: datetime) -> None:
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = now
        self._forget_expired(now)
        self._store.submit(session_rows.purge_expired, now).add_done_callback(_log_failure)

    def _forget_expired(self, now: datetime) -> None:
        for session in [s for s in self._by_cookie.values() if now >= s.expires]:
            self._forget(session)

    def _forget(self, session: Session) -> None:
        if self._by_cookie.get(session.cookie) is session:
            del self._by_cookie[session.cookie]
        self._remember_dead(session.cookie)
        self._endings += 1

    def _remember_dead(self, cookie: str) -> None:
        self._dead[cookie] = None
        while len(self._dead) > DEAD_REMEMBERED:
            self._dead.popitem(last=False)

    def __len__(self) -> int:
        """Sessions in memory (not every stored one: those not used since start are not)."""
        return len(self._by_cookie)
