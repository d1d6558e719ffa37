"""The wall screens' table: blocking reads and writes, run in the store thread.

Rows keep hashes of the pairing code and of the cookie's token, never either
itself: a copy of the database pairs no screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from appliance.store.models import WallScreen


@dataclass(frozen=True, slots=True)
class WallScreenRow:
    """A wall screen as the admin page lists it."""

    screen_id: int
    name: str
    created_at: datetime
    paired_at: datetime | None
    last_seen_at: datetime | None
    pairing_until: datetime | None  # set while the pairing link is not used yet


def _row(screen: WallScreen) -> WallScreenRow:
    return WallScreenRow(screen_id=screen.id, name=screen.name, created_at=screen.created_at,
                         paired_at=screen.paired_at, last_seen_at=screen.last_seen_at,
                         pairing_until=screen.pairing_until)


def add_screen(name: str, pairing_hash: str, now: datetime, pairing_until: datetime) -> int:
    """A new, not yet paired screen; its id."""
    screen = WallScreen.create(name=name, pairing_hash=pairing_hash, pairing_until=pairing_until,
                               created_at=now)
    return int(screen.id)


def pair_screen(pairing_hash: str, token_hash: str, now: datetime) -> int | None:
    """Use a pairing code once: the screen's id, or None for an unknown, used or late code."""
    screen = WallScreen.get_or_none(WallScreen.pairing_hash == pairing_hash)
    if screen is None or screen.pairing_until is None or now >= screen.pairing_until:
        return None
    taken = (WallScreen.update(pairing_hash=None, pairing_until=None, token_hash=token_hash,
                               paired_at=now, last_seen_at=now)
             .where((WallScreen.id == screen.id) & (WallScreen.pairing_hash == pairing_hash))
             .execute())
    return int(screen.id) if taken else None  # two browsers racing: one wins


def screen_of_token(token_hash: str) -> WallScreenRow | None:
    screen = WallScreen.get_or_none(WallScreen.token_hash == token_hash)
    return None if screen is None else _row(screen)


def touch_screen(screen_id: int, now: datetime) -> None:
    WallScreen.update(last_seen_at=now).where(WallScreen.id == screen_id).execute()


def remove_screen(screen_id: int) -> bool:
    """Revoke a screen (paired or not); False when there was none."""
    return bool(WallScreen.delete().where(WallScreen.id == screen_id).execute())


def list_screens() -> list[WallScreenRow]:
    return [_row(s) for s in WallScreen.select().order_by(WallScreen.name, WallScreen.id)]
