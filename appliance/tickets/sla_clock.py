"""An SLA clock counting business time, paused while the customer has the ball."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from appliance.tickets.business_calendar import BusinessCalendar

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Business time used against a target; `due` is known only while running.

    To persist it keep `elapsed` (business time used up to `running_since`, or in
    all when paused), `running_since` and `due`; all else follows from the calendar.
    """

    target: timedelta
    elapsed: timedelta = _ZERO
    running_since: datetime | None = None
    due: datetime | None = None

    @classmethod
    def start(cls, target: timedelta, now: datetime, calendar: BusinessCalendar) -> SlaClock:
        """A clock started at `now` with `target` business time allowed."""
        return cls(target=target, running_since=now, due=calendar.add_business_time(now, target))

    @property
    def is_running(self) -> bool:
        """True unless paused."""
        return self.running_since is not None

    def elapsed_at(self, now: datetime, calendar: BusinessCalendar) -> timedelta:
        """Business time used by `now`."""
        if self.running_since is None:
            return self.elapsed
        return self.elapsed + max(_ZERO, calendar.business_time_between(self.running_since, now))

    def remaining_at(self, now: datetime, calendar: BusinessCalendar) -> timedelta:
        """Business time left by `now`; negative once breached."""
        return self.target - self.elapsed_at(now, calendar)

    def pause(self, now: datetime, calendar: BusinessCalendar) -> SlaClock:
        """Stop counting (pending, resolved, responded); a paused clock has no due time."""
        if self.running_since is None:
            return self
        return replace(self, elapsed=self.elapsed_at(now, calendar), running_since=None, due=None)

    def resume(self, now: datetime, calendar: BusinessCalendar) -> SlaClock:
        """Count again from `now`; the due time is recomputed from the time left."""
        if self.running_since is not None:
            return self
        left = max(_ZERO, self.target - self.elapsed)
        return replace(self, running_since=now, due=calendar.add_business_time(now, left))

    def is_breached(self, now: datetime) -> bool:
        """True once more business time than the target has been used."""
        if self.elapsed > self.target:
            return True
        return self.due is not None and now > self.due

    def retarget(self, target: timedelta, now: datetime, calendar: BusinessCalendar) -> SlaClock:
        """The same clock held to a new target from `now`: time used so far still counts."""
        if self.running_since is None:
            return replace(self, target=target)
        used = self.elapsed_at(now, calendar)
        left = max(_ZERO, target - used)
        return SlaClock(target=target, elapsed=used, running_since=now,
                        due=calendar.add_business_time(now, left))
