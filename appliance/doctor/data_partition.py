"""The doctor's row for the file system under the data: writable, and not lost at reboot.

On the box the data lives on its own partition (`/data`, bound onto
/var/lib/aspa) beside a root that may be a read-only overlay. The kernel
remounts ext4 read-only after file-system errors, and data on the overlay
root vanishes at the next reboot: both need a person, so both are said here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from appliance.config.aspa_toml import Config
from appliance.doctor.registry import Finding, doctor_check

PART = "data partition"
MOUNT_TABLE = Path("/proc/self/mountinfo")


@dataclass(frozen=True)
class Mount:
    """One line of /proc/self/mountinfo (proc(5)): where, what type, from where."""

    point: str
    fs_type: str
    source: str


def mounts(table: Path = MOUNT_TABLE) -> list[Mount]:
    """The mounts this process sees."""
    found = []
    for line in table.read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 2:
            point = fields[4].replace("\\040", " ")
            found.append(Mount(point, tail[0], tail[1]))
    return found


def mount_of(path: Path, table: list[Mount]) -> Mount | None:
    """The mount a path lives on: the longest mount point that contains it (the last wins)."""
    best: Mount | None = None
    resolved = str(path.resolve())
    for mount in table:
        inside = resolved == mount.point or resolved.startswith(mount.point.rstrip("/") + "/")
        if inside and (best is None or len(mount.point) >= len(best.point)):
            best = mount
    return best


def _existing(path: Path) -> Path:
    for candidate in (path, *path.absolute().parents):
        if candidate.exists():
            return candidate
    return Path("/")


@doctor_check(PART)
def data_partition_row(config: Config) -> Finding:
    """The data's file system is mounted read-write and survives a reboot."""
    return data_partition(config, MOUNT_TABLE)


def data_partition(config: Config, table: Path) -> Finding:
    """The row, from the mount table at `table` (proc(5) mountinfo format)."""
    path = _existing(config.data_path)
    table_rows = mounts(table) if table.exists() else []
    mount = mount_of(path, table_rows)
    root = mount_of(Path("/"), table_rows)
    where = f"{mount.source} ({mount.fs_type}) at {mount.point}" if mount else "unknown"
    if os.statvfs(path).f_flag & os.ST_RDONLY:
        return Finding(PART, "fail", f"{path} is on {where}, mounted read-only: nothing can be "
                       f"saved. If it was writable before, the kernel found file-system errors "
                       f"(journalctl -k | grep -i -e ext4 -e mmc): back up, run fsck on it and "
                       f"reboot; a worn SD card should be replaced")
    root_is_overlay = root is not None and root.fs_type == "overlay"
    if root_is_overlay and mount is not None and mount.point == "/":
        return Finding(PART, "fail", f"{path} is on the read-only root's RAM overlay: everything "
                       f"since boot is lost at the next reboot; mount the data partition "
                       f"(/data) or run `sudo aspa-readonly off` and reboot")
    root_state = "read-only overlay" if root_is_overlay else "writable"
    return Finding(PART, "ok", f"{path} on {where}, read-write; root file system {root_state}")
