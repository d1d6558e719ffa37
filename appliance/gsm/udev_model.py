"""The model udev's rules name for a modem's port: ENV{ASPA_MODEM_MODEL} (systemd/udev/).

udev keeps each device's properties in /run/udev/data/c<major>:<minor>, one
`E:KEY=value` line each (the format libudev reads); the port's device node
gives the numbers. Used when aspa.toml leaves the model at "auto".
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

UDEV_DATA = Path("/run/udev/data")
PROPERTY = "E:ASPA_MODEM_MODEL="


def udev_model(device: str, data: Path = UDEV_DATA) -> str | None:
    """The model udev named for `device` (a node or a link to one), or None."""
    try:
        node = os.stat(device)
    except OSError:
        return None
    if not stat.S_ISCHR(node.st_mode):
        return None
    record = data / f"c{os.major(node.st_rdev)}:{os.minor(node.st_rdev)}"
    try:
        lines = record.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(PROPERTY):
            return line.removeprefix(PROPERTY).strip() or None
    return None
