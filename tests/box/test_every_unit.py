"""Every systemd unit shipped in systemd/ passes `systemd-analyze verify`; services are scored."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"
UNITS = sorted(p for p in SYSTEMD.iterdir() if p.suffix in (".service", ".timer", ".path"))
# On the box these programs exist; here each is replaced by one that does, so that verify
# checks everything else (it refuses a unit whose ExecStart= program is missing).
BOX_PROGRAMS = re.compile(r"/opt/aspa/(venv/bin/aspa|bin/aspa-firstboot|bin/aspa-uart-modem)")
MAX_EXPOSURE = {"aspa.service": 2.5, "aspa-backup.service": 2.0, "aspa-firstboot.service": 8.5,
                "aspa-uart-modem.service": 7.5}

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze missing: install the Debian package systemd")


@pytest.fixture
def units_here(tmp_path: Path) -> Path:
    """All units side by side (a timer's verify loads its service), runnable on this machine."""
    for unit in UNITS:
        (tmp_path / unit.name).write_text(BOX_PROGRAMS.sub(sys.executable, unit.read_text()))
    return tmp_path


def test_the_units_are_the_ones_the_image_installs() -> None:
    assert [u.name for u in UNITS] == ["aspa-backup.service", "aspa-backup.timer",
                                       "aspa-firstboot.service", "aspa-uart-modem.path",
                                       "aspa-uart-modem.service", "aspa.service"]


@needs_analyze
@pytest.mark.parametrize("unit", [u.name for u in UNITS])
def test_verify_passes_with_recursive_errors(units_here: Path, unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--recursive-errors=yes",
         str(units_here / unit)], capture_output=True, text=True, timeout=60)
    own = [line for line in result.stderr.splitlines() if str(units_here) in line]
    assert result.returncode == 0 and not own, result.stderr


@needs_analyze
@pytest.mark.parametrize("unit", [u.name for u in UNITS if u.suffix == ".service"])
def test_security_exposure_is_printed_and_bounded(units_here: Path, unit: str) -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(units_here / unit)],
        capture_output=True, text=True, timeout=60)
    found = re.search(rf"Overall exposure level for {re.escape(unit)}: ([0-9.]+)", result.stdout)
    assert found, result.stdout[-2000:]
    score = float(found.group(1))
    print(f"systemd-analyze security {unit}: exposure {score} (0 = most hardened, 10 = none)")
    assert score <= MAX_EXPOSURE[unit]


def test_the_backup_timer_starts_the_backup_service_often_and_catches_up() -> None:
    """The time of day is backup.at, which the command checks; the timer only has to run often."""
    text = (SYSTEMD / "aspa-backup.timer").read_text()
    assert re.findall(r"^OnCalendar=(.*)$", text, re.M) == ["*:00/15"]
    assert re.search(r"^Persistent=true$", text, re.M)
    delay = re.search(r"^RandomizedDelaySec=(\d+)min$", text, re.M)
    assert delay is not None and int(delay.group(1)) < 15  # runs stay in their own quarter
    service = (SYSTEMD / "aspa-backup.service").read_text()
    assert "backup scheduled" in service and re.search(r"^User=aspa$", service, re.M)
    assert "--now" not in service


@needs_analyze
def test_the_backup_timer_runs_every_quarter_hour_all_day() -> None:
    text = (SYSTEMD / "aspa-backup.timer").read_text()
    calendar = re.findall(r"^OnCalendar=(.*)$", text, re.M)[0]
    result = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=97", "--base-time=2026-03-29 00:07 UTC",
         calendar], capture_output=True, text=True, timeout=60, env={"TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    minutes = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ \S+ (\d\d):(\d\d):00", result.stdout)
    assert len(minutes) == 97
    stamps = [int(h) * 60 + int(m) for h, m in minutes]
    assert stamps[:2] == [15, 30] and stamps[-1] == 15  # a whole day, at :00 :15 :30 :45
    assert {(b - a) % (24 * 60) for a, b in itertools.pairwise(stamps)} == {15}


def test_first_boot_runs_once_and_before_what_needs_its_secrets() -> None:
    text = (SYSTEMD / "aspa-firstboot.service").read_text()
    assert "ConditionPathExists=!/var/lib/aspa-firstboot/done" in text
    before = re.search(r"^Before=(.*)$", text, re.M)
    assert before is not None
    for unit in ("aspa.service", "mosquitto.service", "avahi-daemon.service"):
        assert unit in before.group(1).split()
    assert "aspa-firstboot.service" in (SYSTEMD / "aspa.service").read_text()


def test_first_boot_keeps_no_mount_namespace_of_its_own() -> None:
    """Its mounts and files must be the ones every other unit sees (systemd.exec(5))."""
    text = (SYSTEMD / "aspa-firstboot.service").read_text()
    for private in ("PrivateNetwork", "PrivateMounts", "PrivateTmp", "ProtectSystem",
                    "ProtectHome", "ReadOnlyPaths", "ProtectKernelTunables"):
        assert not re.search(rf"^{private}=", text, re.M), private
