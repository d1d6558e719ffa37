"""A backup that cannot be trusted is refused and the data directory stays exactly as it was."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import tarfile
from pathlib import Path

import pytest

from appliance.backup.create import create_backup
from appliance.backup.errors import BackupError, BackupRefused
from appliance.backup.restore import restore_backup
from appliance.store.migrations import LATEST_VERSION
from tests.backup.conftest import BackupBox


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "aspa.lock"}


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> Path:
    """A copy of `archive` with some members' bytes replaced (the manifest left as it was)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for info in src:
            stream = src.extractfile(info)
            assert stream is not None
            data = change.get(info.name, stream.read())
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


@pytest.fixture
def archive(backup_box: BackupBox, tmp_path: Path) -> Path:
    return create_backup(backup_box.config, tmp_path / "good.tar.gz",
                         config_path=backup_box.config_path)


def test_a_tampered_member_is_refused_before_anything_changes(
        backup_box: BackupBox, archive: Path, tmp_path: Path) -> None:
    bad = _rewrite(archive, tmp_path / "bad.tar.gz",
                   {"data/attachments/ab/abcdef": b"%PDF-1.7 invoice 43\n"})
    before = _snapshot(backup_box.data_dir)
    with pytest.raises(BackupRefused, match="does not match its checksum"):
        restore_backup(backup_box.config, bad)
    assert _snapshot(backup_box.data_dir) == before
    assert [p.name for p in backup_box.data_dir.iterdir() if p.name.startswith(".")] == []


def test_a_cut_short_archive_is_refused(
        backup_box: BackupBox, archive: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    before = _snapshot(backup_box.data_dir)
    with pytest.raises(BackupRefused):
        restore_backup(backup_box.config, cut)
    assert _snapshot(backup_box.data_dir) == before


def test_a_file_that_is_not_an_aspa_backup_is_refused(
        backup_box: BackupBox, tmp_path: Path) -> None:
    foreign = tmp_path / "photos.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        tar.add(backup_box.config_path, arcname="holiday.jpg")
    with pytest.raises(BackupRefused, match="no manifest"):
        restore_backup(backup_box.config, foreign)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(BackupRefused, match="not a readable backup archive"):
        restore_backup(backup_box.config, text)


def test_a_backup_from_a_newer_schema_is_refused(backup_box: BackupBox, tmp_path: Path) -> None:
    with contextlib.closing(sqlite3.connect(backup_box.database)) as db, db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                   (str(LATEST_VERSION + 1),))
    newer = create_backup(backup_box.config, tmp_path / "newer.tar.gz")
    with contextlib.closing(sqlite3.connect(backup_box.database)) as db, db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                   (str(LATEST_VERSION),))
    before = _snapshot(backup_box.data_dir)
    with pytest.raises(BackupRefused, match=f"schema {LATEST_VERSION + 1}, newer than this Aspa"):
        restore_backup(backup_box.config, newer)
    assert _snapshot(backup_box.data_dir) == before


def test_a_member_outside_the_manifest_is_refused(
        backup_box: BackupBox, archive: Path, tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(sneaky, "w:gz") as dst:
        for info in src:
            dst.addfile(info, src.extractfile(info))
        extra = tarfile.TarInfo("data/../../escape.txt")
        extra.size = 2
        dst.addfile(extra, io.BytesIO(b"hi"))
    with pytest.raises(BackupRefused, match="does not list"):
        restore_backup(backup_box.config, sneaky)
    assert not (backup_box.root / "escape.txt").exists()


def test_creating_over_an_existing_file_or_into_a_missing_folder_is_refused(
        backup_box: BackupBox, archive: Path, tmp_path: Path) -> None:
    before = archive.read_bytes()
    with pytest.raises(BackupError, match="already exists"):
        create_backup(backup_box.config, archive)
    assert archive.read_bytes() == before
    with pytest.raises(BackupError, match="does not exist: create it or mount"):
        create_backup(backup_box.config, tmp_path / "no-such-stick" / "b.tar.gz")


def test_a_missing_pg_dump_is_named_with_its_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appliance.backup.postgres_dump import dump_postgres

    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH on which no pg_dump exists
    with pytest.raises(BackupError, match="pg_dump is not installed: install the Debian "
                                          "package postgresql-client"):
        dump_postgres("postgresql://aspa:pw@127.0.0.1/aspa", tmp_path / "x.pgdump")
