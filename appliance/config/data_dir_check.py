"""Whether a configured data_dir can hold Aspa's database, attachments and state.

Kernel file systems (/proc, /sys, /dev) accept some writes and fail others in ways
that look like a broken card; a file where a folder should be, or a folder this
user cannot write, fails at the first write. Each is refused when the file is
checked, naming the key, instead of surfacing later as a traceback. A folder on a
file system mounted read-only is not refused: that is the box's state, reported
by doctor and the page until the partition is writable again.
"""

from __future__ import annotations

import os
from pathlib import Path

from appliance.config.shown_value import shown

KERNEL_FILE_SYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))


def data_dir_problem(path: Path) -> str | None:
    """What is wrong with `path` as the data folder, or None; a missing folder is made at start."""
    try:
        real = path.resolve()
        for kernel in KERNEL_FILE_SYSTEMS:
            if real == kernel or kernel in real.parents:
                return (f"{shown(str(path))} is under {kernel}, a kernel file system, not a "
                        f"place for data; use a folder such as /var/lib/aspa")
        if not real.exists():
            return None
        if not real.is_dir():
            return f"{shown(str(path))} is a file, not a folder"
        if not os.access(real, os.W_OK | os.X_OK) and not _read_only_mount(real):
            return f"{shown(str(path))} is a folder this user (uid {os.geteuid()}) cannot write"
    except (OSError, RuntimeError, ValueError) as error:  # too long, a symlink loop, a NUL
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        return f"{shown(str(path))} cannot be used: {reason}"
    return None


def _read_only_mount(path: Path) -> bool:
    """A folder on a file system mounted read-only (a card gone read-only after errors, a
    data partition not yet remounted): a state of the box that doctor and the page report
    and that heals on remount, not a mistake in the file."""
    return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
