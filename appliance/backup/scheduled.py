"""`aspa backup scheduled` (run by aspa-backup.timer): a dated backup to the target, N kept."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from appliance.backup.create import ARCHIVE_SUFFIX, create_backup
from appliance.backup.errors import BackupError, BackupNotConfigured
from appliance.config import Config

log = logging.getLogger("aspa.backup")


def run_scheduled(config: Config, *, config_path: Path | None = None,
                  now: datetime | None = None) -> tuple[Path, list[Path]]:
    """Write one backup to backup.target and delete the oldest beyond backup.keep."""
    settings = config.backup
    if not settings.target:
        raise BackupNotConfigured("backup.target is empty: set it in aspa.toml to the USB "
                                  "stick's or network share's folder (e.g. /media/aspa-backup)")
    target = Path(settings.target)
    if not target.is_dir():
        raise BackupError(f"backup target {target} is not there: plug in and mount the USB "
                          f"stick or network share, or fix backup.target")
    if settings.require_mount and _same_file_system(target, config.data_path):
        raise BackupError(f"backup target {target} is on the same file system as the data "
                          f"({config.data_path}): the USB stick or share is not mounted; "
                          f"mount it (or set backup.require_mount = false)")
    made = create_backup(config, target, config_path=config_path, now=now or datetime.now(UTC))
    removed = prune(target, config.box.name, settings.keep)
    log.info("backup %s written; removed %d old ones", made, len(removed))
    return made, removed


def prune(folder: Path, box_name: str, keep: int) -> list[Path]:
    """Delete this box's oldest complete backups so that `keep` remain; return those deleted."""
    ours = sorted(p for p in folder.glob(f"aspa-{box_name}-*{ARCHIVE_SUFFIX}") if p.is_file())
    doomed = ours[:-keep] if len(ours) > keep else []
    for path in doomed:
        path.unlink()
    return doomed


def _same_file_system(target: Path, data_dir: Path) -> bool:
    probe = data_dir if data_dir.exists() else Path("/")
    return os.stat(target).st_dev == os.stat(probe).st_dev
