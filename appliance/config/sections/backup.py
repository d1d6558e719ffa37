"""The `[backup]` section: where and when `aspa backup scheduled` writes, how many it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from appliance.config.schema import in_range, setting
from appliance.config.shown_value import shown
from appliance.config.value_checks import clock_time


def _absolute_or_empty(value: Any) -> str | None:
    if value == "" or str(value).startswith("/"):
        return None
    return f"must be an absolute folder such as /media/aspa-backup, or empty, not {shown(value)}"


def _parsed_time(text: str) -> time | None:
    parsed = clock_time(text)
    return None if parsed == time.max else parsed  # "24:00" ends a day; it starts none


def _time_of_day(value: Any) -> str | None:
    if _parsed_time(value) is not None:
        return None
    return f"must be a time of day as HH:MM, 00:00-23:59, such as '02:30', not {shown(value)}"


@dataclass(frozen=True)
class BackupSettings:
    """The scheduled backup's target folder, time of day and rotation."""

    target: str = setting(
        "", "Folder the scheduled backup writes to (a USB stick's mount point or a network "
        "share); empty = no scheduled backup", check=_absolute_or_empty)
    at: str = setting(
        "02:30", "Time of day (HH:MM, box.time_zone) of the daily scheduled backup; a box that "
        "was off then backs up soon after it starts", check=_time_of_day)
    keep: int = setting(7, "How many scheduled backups to keep in the target; older ones are "
                        "deleted after a new one is complete", check=in_range(1, 1000))
    require_mount: bool = setting(
        True, "Refuse to write when the target is on the same file system as the data "
        "directory (the stick or share is not mounted), so the SD card never fills up")

    @property
    def time_of_day(self) -> time:
        """`at` as a time; 02:30 if malformed (the loader refuses such a file first)."""
        return _parsed_time(self.at) or time(2, 30)
