"""`aspa doctor`'s backup row: off, target missing or unmounted, none yet, fresh, stale."""

from __future__ import annotations

import time
from pathlib import Path

from appliance.backup.doctor import STALE_AFTER_S, newest_backup
from appliance.backup.scheduled import run_scheduled
from tests.backup.conftest import make_backup_box


def test_the_row_follows_the_backups(tmp_path: Path) -> None:
    assert newest_backup(make_backup_box(tmp_path / "plain").config, time.time()).status == "off"

    stick = tmp_path / "stick"
    toml = f'[backup]\ntarget = "{stick}"\nrequire_mount = false\n'
    box = make_backup_box(tmp_path / "box", extra_toml=toml)
    row = newest_backup(box.config, time.time())
    assert row.status == "warn" and "plug in the USB stick" in row.detail

    stick.mkdir()
    row = newest_backup(box.config, time.time())
    assert row.status == "warn" and f"no backup in {stick} yet" in row.detail

    made, _ = run_scheduled(box.config)
    row = newest_backup(box.config, time.time())
    assert row.status == "ok" and made.name in row.detail and "1 in" in row.detail

    later = time.time() + STALE_AFTER_S + 3600
    row = newest_backup(box.config, now=later)
    assert row.status == "warn" and "systemctl status aspa-backup" in row.detail


def test_an_unmounted_target_is_a_warning(tmp_path: Path) -> None:
    stick = tmp_path / "media-aspa-backup"
    stick.mkdir()
    box = make_backup_box(tmp_path / "box", extra_toml=f'[backup]\ntarget = "{stick}"\n')
    row = newest_backup(box.config, time.time())
    assert row.status == "warn" and "is not mounted" in row.detail
