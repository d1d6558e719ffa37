"""What a backup takes from the box: files under the data directory and the configuration."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from appliance.config.sections.database import SQLITE_FILE_NAME
from appliance.store.data_lock import LOCK_FILE_NAME

# The live database goes in as a snapshot, never as the file being written; its WAL and
# shared-memory index belong to the live file only (sqlite.org/wal.html §"The WAL file").
LIVE_DATABASE_FILES = frozenset(
    {SQLITE_FILE_NAME, f"{SQLITE_FILE_NAME}-wal", f"{SQLITE_FILE_NAME}-shm",
     f"{SQLITE_FILE_NAME}-journal", LOCK_FILE_NAME})
UNFINISHED_PREFIXES = (".tmp-", ".aspa-backup-", ".restore-", ".before-restore-")


def data_files(data_dir: Path) -> Iterator[tuple[Path, str]]:
    """Each regular file under the data directory that belongs in a backup, with its name."""
    for root, dirs, files in os.walk(data_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith(UNFINISHED_PREFIXES))
        here = Path(root)
        for name in sorted(files):
            path = here / name
            relative = path.relative_to(data_dir).as_posix()
            if relative in LIVE_DATABASE_FILES or name.startswith(UNFINISHED_PREFIXES):
                continue
            if path.is_file() and not path.is_symlink():
                yield path, relative


def config_files(config: Any, config_path: Path | None) -> list[Path]:
    """aspa.toml and every file it names with a `*_file` key (passwords, PINs, URLs)."""
    found: list[Path] = []
    if config_path is not None:
        found.append(config_path.absolute())
    for value in _file_settings(config):
        path = Path(value)
        if path.is_absolute() and path.is_file() and path not in found:
            found.append(path)
    return found


def _file_settings(section: Any) -> Iterator[str]:
    if isinstance(section, list):
        for item in section:
            yield from _file_settings(item)
        return
    if not dataclasses.is_dataclass(section) or isinstance(section, type):
        return
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        if f.name.endswith("_file") and isinstance(value, str) and value:
            yield value
        else:
            yield from _file_settings(value)
