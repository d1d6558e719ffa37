"""The `[backup]` section: where `aspa backup scheduled` writes and how many it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.config_schema import in_range, setting


def _absolute_or_empty(value: Any) -> str | None:
    if value == "" or str(value).startswith("/"):
        return None
    return f"must be an absolute folder such as /media/aspa-backup, or empty, not {value!r}"


@dataclass(frozen=True)
class BackupSettings:
    """The scheduled backup's target folder and rotation."""

    target: str = setting(
        "", "Folder the scheduled backup writes to (a USB stick's mount point or a network "
        "share); empty = no scheduled backup", check=_absolute_or_empty)
    keep: int = setting(7, "How many scheduled backups to keep in the target; older ones are "
                        "deleted after a new one is complete", check=in_range(1, 1000))
    require_mount: bool = setting(
        True, "Refuse to write when the target is on the same file system as the data "
        "directory (the stick or share is not mounted), so the SD card never fills up")
