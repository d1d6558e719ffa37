"""The brake on password guessing: per address, per login, and per login from one address.

Three counts of failed logins, each with a wait that doubles with every failure past
the free ones:

- per address: one host guessing at many logins;
- per login from one address: one host guessing at one login;
- per login from everywhere: guesses at one login spread over many addresses. This
  one only holds back addresses that have failed themselves, so nobody can lock a
  user out from another host: the admin at a desk that typed nothing wrong logs in
  while someone elsewhere guesses at "admin".

A count is forgotten a day after its last failure. The counts are kept in the
database (only a hash of each key) so a restart forgets nothing.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from appliance.spine.clock import Clock

FREE_FAILURES = 5  # failures before the first wait
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)  # a count with no failure for this long starts again
MAX_TRACKED = 10_000  # counts held in memory; a flood of source addresses cannot grow it

Save = Callable[[str, int, datetime | None], object]  # key, failures, last (None: forget)


@dataclass(slots=True)
class _Count:
    failures: int
    last: datetime


def brake_key(kind: str, *parts: str) -> str:
    """How a count is named, in memory and in the database: a hash, never the login typed."""
    return hashlib.sha256("\x00".join((kind, *parts)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _Keys:
    address: str
    login: str
    pair: str


def _keys(login: str, address: str) -> _Keys:
    name = login.casefold()
    return _Keys(address=brake_key("addr", address), login=brake_key("login", name),
                 pair=brake_key("pair", name, address))


class LoginBrake:
    """Counts failed logins and says how long the next attempt must wait."""

    def __init__(
        self,
        clock: Clock,
        *,
        free_failures: int = FREE_FAILURES,
        first_wait: timedelta = FIRST_WAIT,
        longest_wait: timedelta = LONGEST_WAIT,
        save: Save | None = None,
    ) -> None:
        self._clock = clock
        self._free = free_failures
        self._first_wait = first_wait
        self._longest_wait = longest_wait
        self._save = save
        self._counts: OrderedDict[str, _Count] = OrderedDict()

    def load(self, rows: Iterable[tuple[str, int, datetime]]) -> None:
        """Take back the counts kept before a restart."""
        now = self._clock.now()
        for key, failures, last in rows:
            if now - last < FORGET_AFTER:
                self._counts[key] = _Count(failures, last)
        self._trim()

    def wait_for(self, login: str, address: str) -> float:
        """Seconds until `address` may try `login` again; 0.0 when it may now."""
        keys = _keys(login, address)
        waits = [self._wait(keys.address), self._wait(keys.pair)]
        if self._count(keys.address) is not None or self._count(keys.pair) is not None:
            waits.append(self._wait(keys.login))  # only a host that failed meets this one
        return max(waits)

    def failed(self, login: str, address: str) -> None:
        """Count a failed attempt (or one under way: see `succeeded`)."""
        now = self._clock.now()
        keys = _keys(login, address)
        for key in (keys.address, keys.login, keys.pair):
            count = self._count(key)
            count = _Count(1, now) if count is None else _Count(count.failures + 1, now)
            self._counts[key] = count
            self._counts.move_to_end(key)
            self._store(key, count)
        self._trim()

    def succeeded(self, login: str, address: str) -> None:
        """The attempt counted by `failed` was right: take it back; the pair starts again."""
        keys = _keys(login, address)
        self._counts.pop(keys.pair, None)
        self._store(keys.pair, None)
        for key in (keys.address, keys.login):
            count = self._count(key)
            if count is None:
                continue
            if count.failures <= 1:
                self._counts.pop(key, None)
                self._store(key, None)
            else:
                count.failures -= 1
                self._store(key, count)

    def _count(self, key: str) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and self._clock.now() - count.last >= FORGET_AFTER:
            del self._counts[key]
            self._store(key, None)
            return None
        return count

    def _wait(self, key: str) -> float:
        count = self._count(key)
        if count is None or count.failures < self._free:
            return 0.0
        doublings = min(count.failures - self._free, 32)
        wait = min(self._first_wait * (2 ** doublings), self._longest_wait)
        return max(float((count.last + wait - self._clock.now()).total_seconds()), 0.0)

    def _store(self, key: str, count: _Count | None) -> None:
        if self._save is not None:
            self._save(key, 0 if count is None else count.failures,
                       None if count is None else count.last)

    def _trim(self) -> None:
        while len(self._counts) > MAX_TRACKED:
            self._counts.popitem(last=False)
