"""`aspa backup create`: one tar archive, written beside its target and renamed when complete.

The database is copied first and the data files after it: attachments are
written before the rows that name them and never changed, so every file the
copied database refers to is already on disk when the files are read.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from appliance import __version__
from appliance.backup.archive_name import default_name
from appliance.backup.errors import BackupError
from appliance.backup.manifest import (
    CONFIG_PREFIX,
    DATA_PREFIX,
    DATABASE_PGDUMP,
    DATABASE_SQLITE,
    MANIFEST_NAME,
    HashingReader,
    Manifest,
    Member,
)
from appliance.backup.postgres_dump import dump_postgres
from appliance.backup.sources import config_files, data_files
from appliance.backup.sqlite_snapshot import snapshot_sqlite
from appliance.config.aspa_toml import Config
from appliance.store.database_url import is_postgres_url, sqlite_path

ARCHIVE_MODE = 0o600  # it holds customers' data and the box's passwords


def create_backup(config: Config, target: Path, *, config_path: Path | None = None,
                  now: datetime | None = None) -> Path:
    """Write a complete backup at `target` (a folder gets a dated name); return its path."""
    now = now or datetime.now(UTC)
    if target.is_dir():
        target = target / default_name(config.box.name, now)
    if target.exists():
        raise BackupError(f"{target} already exists: choose another name")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist: create it or mount the "
                          f"backup drive")
    try:
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".aspa-backup-") as staging:
            partial = Path(staging) / target.name
            _write_archive(config, partial, Path(staging), config_path, now)
            os.replace(partial, target)
            _sync_folder(target.parent)
    except OSError as error:
        raise BackupError(_write_failure(target, error)) from error
    return target


def _write_failure(target: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    hint = {28: "free some space or use a bigger drive", 27: "the file system's file size "
            "limit was reached: use a drive formatted exFAT or ext4",
            30: "the target is read-only: remount it writable", 13: "the aspa user may not "
            "write there: fix the folder's owner"}.get(error.errno or 0, "check the target")
    return f"cannot write backup {target}: {reason}; nothing was left behind; {hint}"


def _write_archive(config: Config, archive: Path, staging: Path, config_path: Path | None,
                   now: datetime) -> None:
    url = config.database_url
    if is_postgres_url(url):
        database = staging / "aspa.pgdump"
        dump_postgres(url, database)
        schema, kind, member = _postgres_schema(url), "postgresql", DATABASE_PGDUMP
    else:
        database = staging / "aspa.db"
        schema = snapshot_sqlite(sqlite_path(url), database)
        kind, member = "sqlite", DATABASE_SQLITE
    manifest = Manifest(aspa_version=__version__, schema_version=schema, database=kind,
                        created_at=now.isoformat(), box_name=config.box.name,
                        sqlite_version=sqlite3.sqlite_version)
    fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ARCHIVE_MODE)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
        _add(tar, manifest, database, member)
        database.unlink()  # the staging copy is in the archive now; free its space
        for path, relative in data_files(config.data_path):
            with contextlib.suppress(FileNotFoundError):  # a temp file renamed away meanwhile
                _add(tar, manifest, path, DATA_PREFIX + relative)
        for index, path in enumerate(config_files(config, config_path)):
            name = f"{CONFIG_PREFIX}{index:02d}-{path.name}"
            _add(tar, manifest, path, name, restore_to=str(path))
        _add_bytes(tar, MANIFEST_NAME, manifest.to_json(), now)
        tar.close()
        raw.flush()
        os.fsync(raw.fileno())


def _add(tar: tarfile.TarFile, manifest: Manifest, path: Path, name: str, *,
         restore_to: str = "") -> None:
    """Add one file, hashing exactly the bytes that go into the archive."""
    with path.open("rb") as source:
        info = tar.gettarinfo(fileobj=source, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = HashingReader(source)
        tar.addfile(info, reader)  # tarfile only calls read()
    if reader.size != info.size:
        raise BackupError(f"{path} changed size while it was read: run the backup again")
    manifest.members[name] = Member(sha256=reader.digest.hexdigest(), size=reader.size,
                                    restore_to=restore_to)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, now: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
    tar.addfile(info, io.BytesIO(data))


def _postgres_schema(url: str) -> int:
    from appliance.store.database import open_database
    from appliance.store.migrations import read_schema_version

    db = open_database(url, create=False)
    try:
        return read_schema_version(db) or 0
    finally:
        db.close()


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename survives a power cut (rename(2) is not durable alone)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
