"""The data directory's lock: one holder at a time, and gone with its process even after kill -9."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from appliance.store.data_lock import DataDirBusy, DataDirLock

REPO = Path(__file__).resolve().parents[2]
HOLDER = ("import sys; from pathlib import Path; "
          "from appliance.store.data_lock import DataDirLock; "
          "lock = DataDirLock(Path(sys.argv[1]), 'aspa run'); lock.acquire(); "
          "print('held', flush=True); sys.stdin.read()")


def test_a_second_taker_is_told_who_holds_it_until_the_holder_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(DataDirBusy, match=rf"in use by aspa run \(pid {holder.pid}\)"):
            DataDirLock(tmp_path, "aspa backup restore").acquire()
    finally:
        holder.kill()  # SIGKILL: no clean-up code runs, the kernel drops the flock
        holder.wait()
    with DataDirLock(tmp_path, "aspa backup restore") as lock:
        assert lock.held
        assert "aspa backup restore" in (tmp_path / "aspa.lock").read_text()
    assert not lock.held
