"""`aspa backup restore`: check the whole archive, then swap the data directory's contents.

Nothing is touched until every member has been extracted beside the data and
its sha256 matches the manifest. The old contents are moved aside, not
deleted, and the daemon migrates an older schema at its next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from appliance.backup.errors import BackupError, BackupRefused, DaemonRunning
from appliance.backup.manifest import (
    CHUNK_BYTES,
    CONFIG_PREFIX,
    DATA_PREFIX,
    DATABASE_PGDUMP,
    DATABASE_SQLITE,
    MANIFEST_NAME,
    Manifest,
)
from appliance.backup.postgres_dump import restore_postgres
from appliance.backup.sqlite_snapshot import schema_version_of
from appliance.config.aspa_toml import Config
from appliance.store.data_lock import LOCK_FILE_NAME, DataDirBusy, DataDirLock
from appliance.store.database_url import is_postgres_url
from appliance.store.migrations import LATEST_VERSION

STAGING_PREFIX = ".restore-"
ASIDE_PREFIX = ".before-restore-"


@dataclass
class RestoreReport:
    """What a restore did, for the command to print."""

    manifest: Manifest
    files: int = 0
    moved_aside: Path | None = None
    config_restored: list[str] = field(default_factory=list)
    config_skipped: list[str] = field(default_factory=list)


def restore_backup(config: Config, archive: Path, *, with_config: bool = False) -> RestoreReport:
    """Restore `archive` into the configured data directory (and database, and config)."""
    data_dir = config.data_path
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = DataDirLock(data_dir, "aspa backup restore")
    try:
        lock.acquire()
    except DataDirBusy as error:
        raise DaemonRunning(f"{error}: stop the daemon first (sudo systemctl stop aspa), "
                            f"restore, then start it again") from error
    try:
        with tempfile.TemporaryDirectory(dir=data_dir, prefix=STAGING_PREFIX) as staging:
            manifest = _extract_checked(archive, Path(staging))
            _check_fits(manifest, config)
            _check_database_copy(Path(staging), manifest)
            report = RestoreReport(manifest)
            if manifest.database == "postgresql":
                restore_postgres(config.database_url, Path(staging) / DATABASE_PGDUMP)
            report.files, report.moved_aside = _swap_in(Path(staging) / "data", data_dir)
            for member in manifest.members.values():
                if member.restore_to:
                    (report.config_restored if with_config else report.config_skipped
                     ).append(member.restore_to)
            if with_config:
                _restore_config(Path(staging), manifest)
    except OSError as error:
        raise BackupError(f"cannot restore into {data_dir}: {error.strerror or error}; "
                          f"the data directory was left as it was") from error
    finally:
        lock.release()
    return report


def read_manifest(archive: Path) -> Manifest:
    """The manifest of an archive (for `aspa backup restore --check`-like inspection)."""
    with _open(archive) as tar:
        return _manifest_of(tar)


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except FileNotFoundError:
        raise BackupRefused(f"{archive} does not exist") from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupRefused(f"{archive} is not a readable backup archive: {error}") from error


def _manifest_of(tar: tarfile.TarFile) -> Manifest:
    try:
        member = tar.getmember(MANIFEST_NAME)
        stream = tar.extractfile(member)
    except KeyError:
        raise BackupRefused("the archive has no manifest: it is not an Aspa backup, or it "
                            "was cut short") from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupRefused(f"the archive is damaged: {error}") from error
    if stream is None:
        raise BackupRefused("the archive's manifest is not a file")
    return Manifest.from_json(stream.read())


def _extract_checked(archive: Path, staging: Path) -> Manifest:
    """Extract every member into `staging`, each checked against the manifest."""
    with _open(archive) as tar:
        manifest = _manifest_of(tar)
        if manifest.schema_version > LATEST_VERSION:
            raise BackupRefused(
                f"the backup's database has schema {manifest.schema_version}, newer than this "
                f"Aspa knows ({LATEST_VERSION}): upgrade Aspa, then restore")
        seen: set[str] = set()
        try:
            for info in tar:
                if info.name == MANIFEST_NAME:
                    continue
                _extract_one(tar, info, manifest, staging)
                seen.add(info.name)
        except (tarfile.TarError, EOFError, OSError) as error:
            if isinstance(error, OSError) and error.errno is not None:
                raise
            raise BackupRefused(f"the archive is damaged: {error}") from error
    missing = sorted(set(manifest.members) - seen)
    if missing:
        raise BackupRefused(f"the archive lacks {len(missing)} files its manifest lists "
                            f"(first: {missing[0]}): it was cut short")
    return manifest


def _extract_one(tar: tarfile.TarFile, info: tarfile.TarInfo, manifest: Manifest,
                 staging: Path) -> None:
    expected = manifest.members.get(info.name)
    if expected is None or not info.isfile() or not _safe(info.name):
        raise BackupRefused(f"the archive holds {info.name!r}, which its manifest does not "
                            f"list: it is not an Aspa backup or it was altered")
    stream = tar.extractfile(info)
    assert stream is not None  # a regular file always has a stream
    target = staging / info.name
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, info.mode & 0o777)
    if digest.hexdigest() != expected.sha256:
        raise BackupRefused(f"{info.name} in the archive does not match its checksum: the "
                            f"backup is damaged; use another one")


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts
            and name.startswith((DATA_PREFIX, CONFIG_PREFIX, DATABASE_PGDUMP)))


def _check_fits(manifest: Manifest, config: Config) -> None:
    """The archive's database kind matches the configured store; the SQLite copy is sound."""
    postgres = is_postgres_url(config.database_url)
    if postgres != (manifest.database == "postgresql"):
        wanted = "PostgreSQL" if postgres else "SQLite"
        raise BackupRefused(f"the backup holds a {manifest.database} database but this box's "
                            f"store is {wanted}: set database.url to match, then restore")


def _check_database_copy(staging: Path, manifest: Manifest) -> None:
    """The SQLite copy passes integrity_check and has the schema its manifest says."""
    if manifest.database != "sqlite":
        return
    version = schema_version_of(staging / DATABASE_SQLITE)
    if version != manifest.schema_version:
        raise BackupRefused(f"the backup's database has schema {version} but its manifest "
                            f"says {manifest.schema_version}: the backup was altered")


def _swap_in(new_data: Path, data_dir: Path) -> tuple[int, Path | None]:
    """Move the current contents aside and the restored ones in; return (files, aside folder)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = data_dir / f"{ASIDE_PREFIX}{stamp}"
    current = [p for p in data_dir.iterdir()
               if p.name != LOCK_FILE_NAME and not p.name.startswith((STAGING_PREFIX,
                                                                      ASIDE_PREFIX))]
    if current:
        aside.mkdir(mode=0o700)
    files = 0
    owner = data_dir.stat()
    try:
        for path in current:  # the old -wal/-shm go too: a stale WAL must never meet the new file
            os.replace(path, aside / path.name)
        for path in sorted(new_data.iterdir()) if new_data.exists() else []:
            os.replace(path, data_dir / path.name)
            files += _give_to(data_dir / path.name, owner.st_uid, owner.st_gid)
        _sync(data_dir)
    except OSError as error:  # renames within one file system: only a failing disk gets here
        raise BackupError(f"restore stopped while swapping files in {data_dir}: "
                          f"{error.strerror or error}; the previous data is in {aside}: move it "
                          f"back before starting aspa") from error
    return files, aside if current else None


def _give_to(path: Path, uid: int, gid: int) -> int:
    """Restored files belong to the data directory's owner (restore runs as root, aspa as aspa)."""
    count = 0
    for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
        if os.geteuid() == 0:
            os.chown(item, uid, gid, follow_symlinks=False)
        count += item.is_file()
    return count


def _restore_config(staging: Path, manifest: Manifest) -> None:
    """Put each config file back where it came from, atomically (temp file + rename)."""
    for name, member in manifest.members.items():
        if not member.restore_to:
            continue
        target = Path(member.restore_to)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        os.close(fd)
        try:
            shutil.copyfile(staging / name, tmp)
            shutil.copymode(staging / name, tmp)
            with contextlib.suppress(FileNotFoundError):
                shutil.copymode(target, tmp)
                st = target.stat()
                if os.geteuid() == 0:
                    os.chown(tmp, st.st_uid, st.st_gid)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
