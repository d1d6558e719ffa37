"""With `aspa run` on the data directory: create works online, restore refuses until it stops."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backup.conftest import BackupBox
from tests.systemd_listener import NotifyListener

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def systemd(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener.in_dir(tmp_path)
    yield listener
    listener.close()


async def _aspa(box: BackupBox, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "appliance", "--config", str(box.config_path), *args, cwd=REPO,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_restore_waits_for_the_daemon_to_stop(
        backup_box: BackupBox, systemd: NotifyListener, tmp_path: Path) -> None:
    env = {**os.environ, "NOTIFY_SOCKET": systemd.address}
    (backup_box.root / "aspa.toml").write_text(
        backup_box.config_path.read_text() + '\n[web]\nhost = "127.0.0.1"\nport = 0\n')
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "appliance", "--config", str(backup_box.config_path), "run",
        cwd=REPO, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await systemd.wait_for("READY", within=60)
        status, out, err = await _aspa(backup_box, "backup", "create", str(tmp_path))
        assert status == 0, err
        archive = Path(out.split("backup written: ", 1)[1].split(" (", 1)[0])
        assert await asyncio.to_thread(archive.is_file)

        status, out, err = await _aspa(backup_box, "backup", "restore", str(archive))
        assert status == 1
        assert f"is in use by aspa run (pid {daemon.pid})" in err
        assert "stop the daemon first (sudo systemctl stop aspa)" in err
        assert not any(p.name.startswith(".before-restore-")
                       for p in backup_box.data_dir.iterdir())
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(daemon.wait(), 30) == 0

    status, out, err = await _aspa(backup_box, "backup", "restore", str(archive))
    assert status == 0, err
    assert "restored" in out and "upgrades an older schema itself" in out
