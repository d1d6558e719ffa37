"""Login sessions: a random id in a signed cookie, the session itself kept on the box.

The cookie carries only `<id>.<HMAC-SHA256(key, id)>` (RFC 2104); the box
keeps each issued cookie, so a tampered or guessed one matches nothing (and
no HMAC is computed per request), and logging out really ends the session.
Sessions live in memory: a restart asks everyone to log in again, which is
the safe side.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from appliance.clock import Clock

COOKIE_NAME = "aspa_session"
MAX_SESSIONS = 1000  # a small office; beyond this the oldest idle sessions go first


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

    session_id: str
    who: SignedIn
    csrf_token: str
    started_at: datetime
    last_seen: datetime
    expires: datetime
    cookie: str = ""  # `<id>.<signature>` as issued


def sign(key: bytes, value: str) -> str:
    """The hex HMAC-SHA256 of `value` under the box key."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class SessionStore:
    """Creates, finds and ends sessions; idle ones expire after `lifetime`."""

    def __init__(self, key: bytes, clock: Clock, lifetime: timedelta) -> None:
        self._key = key
        self._clock = clock
        self._lifetime = lifetime
        self._sessions: dict[str, Session] = {}
        # issued cookie -> session: a browser's next request costs one lookup, not an HMAC
        self._by_cookie: dict[str, Session] = {}

    def create(self, who: SignedIn) -> Session:
        """A fresh session (never reuse an id from before login: session fixation)."""
        now = self._clock.now()
        self._forget_expired(now)
        if len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
            self.end(oldest)
        session_id = secrets.token_urlsafe(32)
        session = Session(
            session_id=session_id,
            who=who,
            csrf_token=sign(self._key, "csrf:" + session_id),
            started_at=now,
            last_seen=now,
            expires=now + self._lifetime,
        )
        session.cookie = f"{session_id}.{sign(self._key, session_id)}"
        self._sessions[session_id] = session
        self._by_cookie[session.cookie] = session
        return session

    def cookie_value(self, session: Session) -> str:
        return session.cookie

    def find(self, cookie_value: str | None) -> Session | None:
        """The live session a cookie names; None for missing, forged or expired ones."""
        if not cookie_value:
            return None
        session = self._by_cookie.get(cookie_value)
        if session is None:
            return None  # never issued, forged, or ended: nothing else to look up
        now = self._clock.now()
        if now >= session.expires:
            self.end(session)
            return None
        session.last_seen = now
        session.expires = now + self._lifetime
        return session

    def is_live(self, session: Session) -> bool:
        """True while the session has not been ended or expired."""
        return self._sessions.get(session.session_id) is session and (
            self._clock.now() < session.expires)

    def end(self, session: Session) -> None:
        self._sessions.pop(session.session_id, None)
        self._by_cookie.pop(session.cookie, None)

    def end_all_for(self, agent_id: int) -> None:
        """Log an agent out everywhere, e.g. after a password change."""
        for session in [s for s in self._sessions.values() if s.who.agent_id == agent_id]:
            self.end(session)

    def rename_language(self, agent_id: int, language: str | None) -> None:
        """Show this agent's open sessions in another language from the next page on."""
        for session in self._sessions.values():
            if session.who.agent_id == agent_id:
                session.who = replace(session.who, language=language)

    def __len__(self) -> int:
        return len(self._sessions)

    def _forget_expired(self, now: datetime) -> None:
        for session in [s for s in self._sessions.values() if now >= s.expires]:
            self.end(session)
