"""The doctor's backup row: is the target there, and how old is the newest backup."""

from __future__ import annotations

import os
import time
from pathlib import Path

from appliance.backup.due import archive_time
from appliance.config.aspa_toml import Config
from appliance.doctor.registry import Finding, doctor_check

PART = "backup"
STALE_AFTER_S = 2 * 24 * 3600  # one backup a day at backup.at: two missed days are worth a look


@doctor_check(PART)
def scheduled_backups(config: Config) -> Finding:
    """Where scheduled backups go and when the last one was made."""
    return newest_backup(config, time.time())


def newest_backup(config: Config, now: float) -> Finding:
    """The backup row as of `now` (seconds since the epoch)."""
    settings = config.backup
    if not settings.target:
        return Finding(PART, "off", "no scheduled backup: set backup.target in aspa.toml "
                       "(a USB stick or network share)")
    target = Path(settings.target)
    if not target.is_dir():
        return Finding(PART, "warn", f"{target} is not there: plug in the USB stick "
                       f"(label ASPA-BACKUP) or mount the share")
    data = config.data_path if config.data_path.exists() else Path("/")
    if settings.require_mount and os.stat(target).st_dev == os.stat(data).st_dev:
        return Finding(PART, "warn", f"{target} is not mounted (it is on the data's own file "
                       f"system): plug in the USB stick or mount the share")
    ours = sorted(p for p in target.iterdir() if archive_time(p.name, config.box.name))
    if not ours:
        return Finding(PART, "warn", f"no backup in {target} yet: run `aspa backup scheduled` "
                       f"or wait for the timer's next run (systemctl list-timers aspa-backup)")
    age = now - ours[-1].stat().st_mtime
    detail = f"newest {ours[-1].name}, {age / 3600:.0f} h old; {len(ours)} in {target}"
    if age > STALE_AFTER_S:
        return Finding(PART, "warn", f"{detail}: the daily backup has not run, see "
                       f"`systemctl status aspa-backup`")
    return Finding(PART, "ok", detail)
