"""Business hours in a time zone: is it open, when does it open, add business time.

Open hours are local wall-clock intervals. They are turned into UTC per local
day with zoneinfo, so a day of 23 or 25 hours (EU summer time starts the last
Sunday of March, ends the last Sunday of October, Directive 2000/84/EC) comes
out right. A wall time that occurs twice (autumn) opens at its first
occurrence and closes at its last; a wall time that does not exist (spring)
means the instant the clock jumps over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from appliance.tickets.calendar_rules import (
    DayRule,
    HalfDay,
    Holiday,
    OpenInterval,
    WeeklySchedule,
    calendar_problems,
)
from appliance.tickets.errors import CalendarError

UtcSpan = tuple[datetime, datetime]

LOOKAHEAD_DAYS = 800  # longer than the longest allowed holiday plus a year of weeks
_CACHE_DAYS = 4096
_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive {moment!r}")


def _gap_end(earliest: datetime, latest: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a forward jump known to lie in (earliest, latest]."""
    low, high = earliest, latest
    offset = earliest.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def wall_to_utc(day: date, wall: time, zone: tzinfo, *, latest: bool = False) -> datetime:
    """The UTC instant of local `wall` time on `day` (see the module text for DST rules)."""
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first < second:  # repeated wall time (PEP 495: fold=0 is the earlier)
        return second if latest else first
    return _gap_end(second, first, zone)  # skipped wall time


class BusinessCalendar:
    """Weekly open hours, holidays (dated or yearly), half days and a time zone; answers in UTC.

    A holiday closes the whole day, even one that is also a half day; a dated half day
    goes before a yearly one on the same date.
    """

    __slots__ = ("_cache", "always_open", "half_days", "holidays", "weekly", "yearly_holidays",
                 "zone")

    def __init__(
        self,
        zone: tzinfo | str,
        weekly: WeeklySchedule,
        holidays: Sequence[Holiday] = (),
        *,
        always_open: bool = False,
        yearly_holidays: Iterable[DayRule] = (),
        half_days: Sequence[HalfDay] = (),
    ) -> None:
        self.zone: tzinfo = ZoneInfo(zone) if isinstance(zone, str) else zone
        problems = calendar_problems(weekly, holidays, half_days)
        if problems:
            raise CalendarError("; ".join(problems))
        self.weekly = {day: tuple(weekly.get(day, ())) for day in range(7)}
        self.holidays = frozenset(day for h in holidays for day in h.days())
        self.yearly_holidays = frozenset((r.month, r.day) for r in yearly_holidays)
        # dated ones first: they win over a yearly one on the same day
        self.half_days = tuple(sorted(half_days, key=lambda h: h.rule.yearly))
        self.always_open = always_open
        self._cache: dict[date, tuple[UtcSpan, ...]] = {}

    @classmethod
    def twenty_four_seven(cls, zone: tzinfo | str = UTC) -> BusinessCalendar:
        """A calendar that is always open: business time equals elapsed time."""
        whole_day = (OpenInterval(time(0), time(0)),)
        return cls(zone, dict.fromkeys(range(7), whole_day), always_open=True)

    @classmethod
    def from_hours(
        cls,
        zone: tzinfo | str,
        weekly: Mapping[int, Iterable[tuple[time, time]]],
        holiday_dates: Iterable[date] = (),
        *,
        yearly_holidays: Iterable[DayRule] = (),
        half_days: Iterable[tuple[DayRule, Iterable[tuple[time, time]]]] = (),
    ) -> BusinessCalendar:
        """A calendar from plain (start, end) pairs per weekday, single holiday dates, yearly
        holidays and half days (a day and its own (start, end) pairs)."""
        intervals = {day: [OpenInterval(a, b) for a, b in pairs] for day, pairs in weekly.items()}
        shorter = [HalfDay(rule, tuple(OpenInterval(a, b) for a, b in pairs))
                   for rule, pairs in half_days]
        return cls(zone, intervals, [Holiday.on(day) for day in sorted(set(holiday_dates))],
                   yearly_holidays=yearly_holidays, half_days=shorter)

    def is_holiday(self, day: date) -> bool:
        """True on a local date the office is closed all day for a holiday."""
        return day in self.holidays or (day.month, day.day) in self.yearly_holidays

    def hours_of(self, day: date) -> tuple[OpenInterval, ...]:
        """The local opening intervals of one date: none on a holiday, a half day's own."""
        if self.is_holiday(day):
            return ()
        for half_day in self.half_days:
            if half_day.rule.matches(day):
                return half_day.hours
        return self.weekly[day.weekday()]

    def local_day(self, moment: datetime) -> date:
        """The date on the local wall calendar at `moment`."""
        return moment.astimezone(self.zone).date()

    def day_spans(self, day: date) -> tuple[UtcSpan, ...]:
        """The UTC open spans of one local day, sorted and merged; empty on holidays."""
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        spans: list[UtcSpan] = []
        for interval in sorted(self.hours_of(day), key=lambda i: i.start_minute):
            start = wall_to_utc(day, interval.start, self.zone)
            if interval.ends_at_midnight:
                end = wall_to_utc(day + _ONE_DAY, time(0), self.zone, latest=True)
            else:
                end = wall_to_utc(day, interval.end, self.zone, latest=True)
            if end <= start:
                continue  # wholly inside a skipped hour
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            else:
                spans.append((start, end))
        result = tuple(spans)
        if len(self._cache) >= _CACHE_DAYS:
            self._cache.clear()
        self._cache[day] = result
        return result

    def spans_from(self, moment: datetime) -> Iterator[UtcSpan]:
        """Open spans that end after `moment`, in order; raises if none within LOOKAHEAD_DAYS."""
        _require_aware(moment, "moment")
        day = self.local_day(moment) - _ONE_DAY
        found_any = False
        for offset in range(LOOKAHEAD_DAYS):
            spans = self.day_spans(day + timedelta(days=offset))
            for start, end in spans:
                if end > moment:
                    found_any = True
                    yield start, end
        if not found_any:
            raise CalendarError(f"no open hours within {LOOKAHEAD_DAYS} days of {moment}")

    def is_open(self, moment: datetime) -> bool:
        """True when `moment` falls inside open hours."""
        _require_aware(moment, "moment")
        if self.always_open:
            return True
        day = self.local_day(moment)
        for candidate in (day - _ONE_DAY, day):
            for start, end in self.day_spans(candidate):
                if start <= moment < end:
                    return True
        return False

    def next_open(self, moment: datetime) -> datetime:
        """`moment` itself if open, else the next opening."""
        if self.always_open or self.is_open(moment):
            return moment
        for start, _end in self.spans_from(moment):
            if start > moment:
                return start
        raise CalendarError(f"no opening after {moment}")  # pragma: no cover - spans_from raises

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The UTC moment when `duration` of open time has passed after `start`."""
        _require_aware(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, not {duration}")
        if self.always_open:
            return start + duration
        if duration == _ZERO:
            return start
        remaining = duration
        for span_start, span_end in self.spans_from(start):
            begin = max(span_start, start)
            available = span_end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise CalendarError(f"cannot add {duration} of business time to {start}")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time from `a` to `b` (negative when `b` is before `a`)."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.business_time_between(b, a)
        if self.always_open:
            return b - a
        total = _ZERO
        for span_start, span_end in self.spans_from(a):
            if span_start >= b:
                break
            total += min(span_end, b) - max(span_start, a)
        return total

    def business_seconds_between(self, a: datetime, b: datetime) -> float:
        """Open seconds from `a` to `b`."""
        return self.business_time_between(a, b).total_seconds()
