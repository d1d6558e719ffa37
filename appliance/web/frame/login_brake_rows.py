"""The login brakes' table: blocking reads and writes, run in the store thread."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from appliance.store.models import LoginBrake


def load_brakes(since: datetime) -> list[tuple[str, int, datetime]]:
    """The counts with a failure since `since`; older rows are deleted."""
    LoginBrake.delete().where(LoginBrake.last_failure_at < since).execute()
    rows = (LoginBrake.select(LoginBrake.key, LoginBrake.failures, LoginBrake.last_failure_at)
            .tuples())
    return [(str(key), int(failures), last)
            for key, failures, last in cast(Iterable[tuple[str, int, datetime]], rows)]


def save_brake(key: str, failures: int, last: datetime | None) -> None:
    """Keep one count; `last` None forgets it."""
    if last is None:
        LoginBrake.delete().where(LoginBrake.key == key).execute()
        return
    (LoginBrake.insert(key=key, failures=failures, last_failure_at=last)
     .on_conflict(conflict_target=[LoginBrake.key],
                  update={LoginBrake.failures: failures, LoginBrake.last_failure_at: last})
     .execute())
