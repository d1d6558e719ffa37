"""One owner of a data directory at a time: an advisory lock the daemon holds while it runs.

`aspa run` takes it at start; `aspa backup restore` takes it too, so a
restore never swaps the database under a running daemon and a daemon never
starts in the middle of a restore. flock(2) locks vanish with the process,
so a daemon killed by a power cut or SIGKILL leaves no stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

LOCK_FILE_NAME = "aspa.lock"


class DataDirBusy(Exception):
    """Another process holds the data directory; the message names it."""


class DataDirLock:
    """An exclusive flock on `<data dir>/aspa.lock`, with the holder's pid written in it."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        self.path = data_dir / LOCK_FILE_NAME
        self.holder = holder
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock at once or raise DataDirBusy naming who holds it."""
        if self._fd is not None:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _read_holder(fd)
            os.close(fd)
            raise DataDirBusy(f"{self.path.parent} is in use by {other or 'another process'}"
                              ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{self.holder} (pid {os.getpid()})\n".encode(), 0)
        if os.geteuid() == 0:
            # root (a restore by sudo) must not leave a lock file the aspa user cannot open
            owner = os.stat(self.path.parent)
            os.fchown(fd, owner.st_uid, owner.st_gid)
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays: removing it would race a new taker)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return ""
