"""Test-wide fixtures: the real peers (Mosquitto, Dovecot, SMTP, PostgreSQL) from tests/peers."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.peers.binaries import ALL_PROGRAMS

pytest_plugins = [
    "tests.peers.mosquitto",
    "tests.peers.dovecot",
    "tests.peers.smtp",
    "tests.peers.postgres",
]


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Name the peer programs that are missing, so skipped peer tests never surprise."""
    missing = sorted(
        {f"{p.name} (Debian package {p.debian_package})" for p in ALL_PROGRAMS if p.find() is None}
    )
    if not missing:
        return ["peers: mosquitto and dovecot found"]
    return [f"peers missing, their tests will skip: {', '.join(missing)}"]


@pytest.fixture
def tiny_mount(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs to fill up (needs root, as CI has); skipped where mount is refused."""
    point = tmp_path / "tiny-mount"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0777", "tmpfs",
                           str(point)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)
