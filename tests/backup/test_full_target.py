"""A full or read-only target: one clear sentence, exit 1, and no half archive left behind."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup.conftest import BackupBox

REPO = Path(__file__).resolve().parents[2]
BIG_ATTACHMENT = 2 * 1024 * 1024  # random bytes: gzip cannot shrink them below the limits
FILE_SIZE_LIMIT = 1024 * 1024


def _aspa(box: BackupBox, *args: str, file_size_limit: int | None = None
          ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_size_limit is not None:
            # without SIGXFSZ ignored the kernel kills the writer; ignored, write() gets EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-m", "appliance", "--config", str(box.config_path),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=60,
                          preexec_fn=limit)


@pytest.fixture
def big_box(backup_box: BackupBox) -> BackupBox:
    (backup_box.data_dir / "attachments" / "ab" / "ab9999").write_bytes(
        os.urandom(BIG_ATTACHMENT))
    return backup_box


def test_a_file_size_limit_mid_archive_leaves_nothing_behind(
        big_box: BackupBox, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    done = _aspa(big_box, "backup", "create", str(target / "b.tar.gz"),
                 file_size_limit=FILE_SIZE_LIMIT)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"aspa: cannot write backup {target / 'b.tar.gz'}: ")
    assert "nothing was left behind" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(target.iterdir()) == []


def test_a_full_drive_is_reported_and_cleaned_up(big_box: BackupBox, tiny_mount: Path) -> None:
    done = _aspa(big_box, "backup", "create", str(tiny_mount))
    assert done.returncode == 1, done.stderr
    assert "No space left on device" in done.stderr or "full" in done.stderr, done.stderr
    assert list(tiny_mount.iterdir()) == []
    # with room again the same command works
    (big_box.data_dir / "attachments" / "ab" / "ab9999").unlink()
    done = _aspa(big_box, "backup", "create", str(tiny_mount))
    assert done.returncode == 0, done.stderr
    assert [p.name.startswith("aspa-office-") for p in tiny_mount.iterdir()] == [True]


def test_a_read_only_drive_is_reported(backup_box: BackupBox, tiny_mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_mount)], check=True)
    done = _aspa(backup_box, "backup", "create", str(tiny_mount))
    assert done.returncode == 1
    assert "Read-only file system" in done.stderr and "remount it writable" in done.stderr
