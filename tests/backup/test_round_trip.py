"""Backups taken while a process writes are consistent copies, and restore brings them back."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from appliance.backup.create import create_backup
from appliance.backup.manifest import MANIFEST_NAME, Manifest
from appliance.backup.restore import restore_backup
from appliance.spine.clock import SystemClock
from appliance.store.migrations import LATEST_VERSION
from appliance.store.startup import open_store
from appliance.store.ticket_records import TicketRecords
from tests.backup.conftest import BackupBox, make_backup_box

WRITER = [sys.executable, "-m", "tests.backup.ticket_writer"]
REPO = Path(__file__).resolve().parents[2]


def _ticket_ids(database: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("SELECT id FROM ticket ORDER BY id")]


def _wait_for_acks(writer: subprocess.Popen[str], count: int) -> list[int]:
    """Read the writer's output until `count` committed ids have been acknowledged."""
    assert writer.stdout is not None
    acked: list[int] = []
    while len(acked) < count:
        line = writer.stdout.readline()
        assert line, "the writer stopped early"
        if line.startswith("ack "):
            acked.append(int(line.split()[1]))
    return acked


def test_backups_taken_while_tickets_are_written_restore_whole(
        backup_box: BackupBox, tmp_path: Path) -> None:
    writer = subprocess.Popen([*WRITER, str(backup_box.database)], cwd=REPO, text=True,
                              stdout=subprocess.PIPE)
    archives: list[tuple[Path, list[int]]] = []
    try:
        for round_no in range(3):
            acked_before = _wait_for_acks(writer, 25)
            archive = create_backup(backup_box.config, tmp_path / f"during-{round_no}.tar.gz",
                                    config_path=backup_box.config_path)
            archives.append((archive, acked_before))
    finally:
        writer.kill()
        writer.wait()
    assert len(_ticket_ids(backup_box.database)) > 75  # the writer really kept going

    for index, (archive, acked_before) in enumerate(archives):
        fresh = make_backup_box(tmp_path / f"fresh-{index}", name="office")
        fresh.database.unlink()
        report = restore_backup(fresh.config, archive)
        ids = _ticket_ids(fresh.database)
        # every ticket acknowledged before the backup began is in it...
        assert set(acked_before) <= set(ids)
        # ...and the copy is one moment of the database: ids without holes, no torn rows
        assert ids == list(range(1, len(ids) + 1))
        assert report.manifest.schema_version == LATEST_VERSION
        db = open_store(fresh.database)  # the daemon's own way in
        try:
            records = TicketRecords(db, SystemClock())
            assert records.get(ids[-1]).subject.startswith("written ")
        finally:
            db.close()
        with contextlib.closing(sqlite3.connect(fresh.database)) as check:
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_brings_back_attachments_state_and_replaces_the_old_data(
        backup_box: BackupBox, tmp_path: Path) -> None:
    archive = create_backup(backup_box.config, tmp_path, config_path=backup_box.config_path)
    assert archive.name.startswith("aspa-office-") and archive.name.endswith(".tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    original_blob = (backup_box.data_dir / "attachments" / "ab" / "ab0123").read_bytes()

    # after the backup the box changes: a new ticket, a lost attachment
    db = open_store(backup_box.database)
    try:
        TicketRecords(db, SystemClock()).open_ticket("email", "after the backup")
    finally:
        db.close()
    (backup_box.data_dir / "attachments" / "ab" / "ab0123").unlink()

    report = restore_backup(backup_box.config, archive)
    assert (backup_box.data_dir / "attachments" / "ab" / "ab0123").read_bytes() == original_blob
    assert (backup_box.data_dir / "web-secret.key").read_text() == "00" * 32
    assert _ticket_ids(backup_box.database) == []  # the store as it was at the backup
    assert not Path(f"{backup_box.database}-wal").exists() or \
        Path(f"{backup_box.database}-wal").stat().st_size == 0
    assert report.moved_aside is not None
    assert _ticket_ids(report.moved_aside / "aspa.db") == [1]  # the old data kept aside
    assert report.config_skipped == [str(backup_box.config_path),
                                     str(backup_box.root / "mqtt-password")]


def test_manifest_lists_every_member_with_its_checksum(
        backup_box: BackupBox, tmp_path: Path) -> None:
    archive = create_backup(backup_box.config, tmp_path / "b.tar.gz",
                            config_path=backup_box.config_path)
    with tarfile.open(archive) as tar:
        names = [n for n in tar.getnames() if n != MANIFEST_NAME]
        manifest_file = tar.extractfile(MANIFEST_NAME)
        assert manifest_file is not None
        manifest = Manifest.from_json(manifest_file.read())
    assert sorted(manifest.members) == sorted(names)
    assert "data/aspa.db" in names
    assert "data/attachments/ab/abcdef" in names
    assert "data/aspa.lock" not in names and "data/aspa.db-wal" not in names
    assert manifest.schema_version == LATEST_VERSION and manifest.database == "sqlite"
    assert manifest.box_name == "office"
    secret = next(m for m in manifest.members.values() if m.restore_to.endswith("mqtt-password"))
    assert len(secret.sha256) == 64


def test_with_config_puts_the_configuration_back(backup_box: BackupBox, tmp_path: Path) -> None:
    archive = create_backup(backup_box.config, tmp_path / "b.tar.gz",
                            config_path=backup_box.config_path)
    password = backup_box.root / "mqtt-password"
    password.write_text("changed-later\n")
    report = restore_backup(backup_box.config, archive, with_config=True)
    assert password.read_text() == "s3cret-broker\n"
    assert password.stat().st_mode & 0o777 == 0o600
    assert str(password) in report.config_restored


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: restore by sudo is what it checks")
def test_a_restore_by_root_leaves_every_file_to_the_aspa_user(
        backup_box: BackupBox, tmp_path: Path) -> None:
    aspa_uid = aspa_gid = 990  # the static user on the box; need not exist here
    archive = create_backup(backup_box.config, tmp_path / "b.tar.gz")
    lock = backup_box.data_dir / "aspa.lock"
    lock.unlink(missing_ok=True)
    os.chown(backup_box.data_dir, aspa_uid, aspa_gid)
    restore_backup(backup_box.config, archive)
    for path in [lock, *backup_box.data_dir.rglob("*")]:
        if ".before-restore-" in str(path):
            continue
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (aspa_uid, aspa_gid), path
