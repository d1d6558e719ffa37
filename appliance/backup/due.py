"""When the scheduled backup is due: once a day at backup.at, local time, caught up after a gap.

The timer runs `aspa backup scheduled` every few minutes; this decides whether that run
writes a backup. A backup is due when the latest past occurrence of `at` (today's or
yesterday's, in the box's time zone) is later than the newest backup of this box in the
target. Times are compared in UTC: aware datetimes that share a tzinfo compare by wall
clock, which is wrong across a DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from appliance.backup.archive_name import ARCHIVE_SUFFIX

_STAMP = "%Y%m%dT%H%M%SZ"  # archive_name.default_name's UTC time
_STAMP_LENGTH = len("20260301T023000Z")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Decision:
    """Whether to back up now; `slot` is the occurrence being made up for, or the next one."""

    due: bool
    slot: datetime


def occurrence(day: date, at: time, zone: tzinfo) -> datetime:
    """`at` on local date `day`, in UTC.

    A time the spring clock change skips (03:30 in Helsinki) falls an hour later; one the
    autumn change repeats is its first occurrence (datetime's fold=0, PEP 495).
    """
    return datetime.combine(day, at, zone).astimezone(UTC)


def latest_occurrence(now: datetime, at: time, zone: tzinfo) -> datetime:
    """The latest occurrence of local `at` not after `now`, in UTC."""
    today = now.astimezone(zone).date()
    candidate = occurrence(today, at, zone)
    return candidate if candidate <= now else occurrence(today - ONE_DAY, at, zone)


def next_occurrence(now: datetime, at: time, zone: tzinfo) -> datetime:
    """The first occurrence of local `at` after `now`, in UTC."""
    today = now.astimezone(zone).date()
    candidate = occurrence(today, at, zone)
    return candidate if candidate > now else occurrence(today + ONE_DAY, at, zone)


def decide(now: datetime, at: time, zone: tzinfo, newest: datetime | None) -> Decision:
    """Due when the latest `at` is later than the newest backup (or there is none)."""
    latest = latest_occurrence(now, at, zone)
    if newest is None or newest.astimezone(UTC) < latest:
        return Decision(True, latest)
    return Decision(False, next_occurrence(now, at, zone))


def newest_backup(folder: Path, box_name: str, now: datetime) -> datetime | None:
    """The time in the name of this box's newest complete archive in `folder`, if any.

    Only renamed, complete archives count (create.py writes under a hidden staging folder).
    An archive dated after `now` was made while the clock was wrong and is not counted,
    so a clock set back does not stop the backups.
    """
    times = [made for path in folder.iterdir()
             if (made := archive_time(path.name, box_name)) is not None and made <= now
             and path.is_file()]
    return max(times, default=None)


def archive_time(name: str, box_name: str) -> datetime | None:
    """When archive `name` of box `box_name` was made (from its name), or None if not one."""
    pattern = rf"aspa-{re.escape(box_name)}-(.{{{_STAMP_LENGTH}}}){re.escape(ARCHIVE_SUFFIX)}"
    match = re.fullmatch(pattern, name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
