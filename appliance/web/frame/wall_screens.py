"""Wall screens: a TV paired once from the admin page sees the wallboard, and nothing else.

An admin names a screen and gets a one-time pairing link (`/wall/pair?code=...`),
good for `PAIRING_VALID`. Opened on the TV it gives that browser its own cookie,
`<token>.<HMAC-SHA256(key, "wall:" + token)>` (RFC 2104), like a login session's
but with no idle or 30-day end: the screen stays paired until an admin revokes it.
The store keeps only SHA-256 hashes of the code and the token, so a restart keeps
the screen and a copy of the database pairs none. Screens found once are kept in
memory; last seen is written back at most once a minute; a revocation reaches the
memory at once.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from appliance.spine.clock import Clock
from appliance.store.worker import StoreWorker
from appliance.web.frame import wall_rows
from appliance.web.frame.sessions import TOUCH_EVERY, sign, token_hash
from appliance.web.frame.wall_rows import WallScreenRow

log = logging.getLogger("aspa.web.wall")

WALL_COOKIE = "aspa_wall"
PAIRING_VALID = timedelta(days=1)  # an unused pairing link stops working after this
NAME_MAX = 80
DEAD_REMEMBERED = 256  # cookies of revoked screens: no second database read each


@dataclass(slots=True)
class WallScreen:
    """One paired screen's browser."""

    screen_id: int
    name: str
    cookie: str
    written_seen: datetime | None


def _log_failure(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("wall screens: the store refused a change: %s", future.exception())


class WallScreens:
    """Creates pairings, pairs browsers, finds and revokes screens."""

    def __init__(self, key: bytes, clock: Clock, store: StoreWorker) -> None:
        self._key = key
        self._clock = clock
        self._store = store
        self._by_cookie: dict[str, WallScreen] = {}
        self._dead: OrderedDict[str, None] = OrderedDict()
        self._revocations = 0  # moves on at every revocation: a load under way reads again

    def _signature(self, token: str) -> str:
        return sign(self._key, "wall:" + token)

    async def add(self, name: str) -> tuple[int, str]:
        """A new screen waiting for its pairing: its id and the one-time code (shown once)."""
        code = secrets.token_urlsafe(18)
        now = self._clock.now()
        screen_id = await self._store.call(wall_rows.add_screen, name, token_hash(code), now,
                                           now + PAIRING_VALID)
        return screen_id, code

    async def pair(self, code: str) -> str | None:
        """Use a pairing code: the screen browser's cookie value, or None for a bad code."""
        if not code or len(code) > 100:
            return None
        token = secrets.token_urlsafe(32)
        screen_id = await self._store.call(wall_rows.pair_screen, token_hash(code),
                                           token_hash(token), self._clock.now())
        return None if screen_id is None else f"{token}.{self._signature(token)}"

    def issued_here(self, cookie: str) -> bool:
        """True when this box signed the cookie (a revoked screen's, say): not a forgery."""
        token, dot, signature = cookie.partition(".")
        return bool(dot) and hmac.compare_digest(signature, self._signature(token))

    async def find(self, cookie: str) -> WallScreen | None:
        """The paired screen this cookie names; None when forged or revoked."""
        screen = self._by_cookie.get(cookie)
        if screen is None:
            if not cookie or cookie in self._dead or not self.issued_here(cookie):
                return None
            screen = await self._load(cookie)
            if screen is None:
                return None
        self._touch(screen)
        return screen

    async def _load(self, cookie: str) -> WallScreen | None:
        hashed = token_hash(cookie.partition(".")[0])
        while True:
            revocations = self._revocations
            row = await self._store.call(wall_rows.screen_of_token, hashed)
            if revocations == self._revocations:
                break  # nothing revoked while reading; else read again, after the revocation
        if row is None:
            self._remember_dead(cookie)
            return None
        screen = self._by_cookie.setdefault(cookie, WallScreen(
            screen_id=row.screen_id, name=row.name, cookie=cookie,
            written_seen=row.last_seen_at))
        return screen

    def _touch(self, screen: WallScreen) -> None:
        now = self._clock.now()
        if screen.written_seen is None or now - screen.written_seen >= TOUCH_EVERY:
            screen.written_seen = now
            self._store.submit(wall_rows.touch_screen, screen.screen_id, now).add_done_callback(
                _log_failure)

    def is_live(self, screen: WallScreen) -> bool:
        """True until the screen is revoked."""
        return self._by_cookie.get(screen.cookie) is screen

    async def revoke(self, screen_id: int) -> bool:
        """Unpair a screen now (memory at once, then the table); False when there was none."""
        for screen in [s for s in self._by_cookie.values() if s.screen_id == screen_id]:
            del self._by_cookie[screen.cookie]
            self._remember_dead(screen.cookie)
        self._revocations += 1
        return await self._store.call(wall_rows.remove_screen, screen_id)

    async def listed(self) -> list[WallScreenRow]:
        """Every screen, paired or waiting, for the admin page."""
        return await self._store.call(wall_rows.list_screens)

    def _remember_dead(self, cookie: str) -> None:
        self._dead[cookie] = None
        while len(self._dead) > DEAD_REMEMBERED:
            self._dead.popitem(last=False)
