"""Aspa's image layer, run into a directory tree: files, modes, owners, data and enabled units."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.box.image_tree import FIRSTBOOT, REPO, AssembledTree, assemble, run_layer

SYSTEMD = REPO / "systemd"

pytestmark = pytest.mark.skipif(
    shutil.which("systemctl") is None or shutil.which("systemd-sysusers") is None,
    reason="systemctl and systemd-sysusers are needed: install the Debian package systemd")

# (path in the image, file in the repository, mode)
SHIPPED = (
    ("etc/systemd/system/aspa.service", SYSTEMD / "aspa.service", 0o644),
    ("etc/systemd/system/aspa-firstboot.service", SYSTEMD / "aspa-firstboot.service", 0o644),
    ("etc/systemd/system/aspa-backup.service", SYSTEMD / "aspa-backup.service", 0o644),
    ("etc/systemd/system/aspa-backup.timer", SYSTEMD / "aspa-backup.timer", 0o644),
    ("etc/systemd/system/aspa-uart-modem.path", SYSTEMD / "aspa-uart-modem.path", 0o644),
    ("etc/systemd/system/aspa-uart-modem.service", SYSTEMD / "aspa-uart-modem.service", 0o644),
    ("usr/lib/sysusers.d/aspa.conf", SYSTEMD / "aspa.sysusers.conf", 0o644),
    ("etc/udev/rules.d/60-aspa-gpio.rules", SYSTEMD / "udev/60-aspa-gpio.rules", 0o644),
    ("etc/udev/rules.d/90-aspa-gsm-modem.rules", SYSTEMD / "udev/90-aspa-gsm-modem.rules", 0o644),
    ("opt/aspa/share/udev/99-gsm-modem-uart.rules", SYSTEMD / "udev/99-gsm-modem-uart.rules",
     0o644),
    ("etc/avahi/services/aspa.service", SYSTEMD / "avahi/aspa.service", 0o644),
    ("etc/mosquitto/conf.d/aspa.conf", SYSTEMD / "mosquitto/aspa.conf", 0o644),
    ("etc/mosquitto/aspa.acl", SYSTEMD / "mosquitto/aspa.acl", 0o644),
    ("opt/aspa/bin/aspa-firstboot", FIRSTBOOT, 0o755),
    ("opt/aspa/bin/aspa-readonly", FIRSTBOOT.with_name("aspa-readonly"), 0o755),
    ("opt/aspa/bin/aspa-uart-modem", FIRSTBOOT.with_name("aspa-uart-modem"), 0o755),
    ("opt/aspa/wheels/wheels.lock", REPO / "image/wheels.lock", 0o644),
    ("opt/aspa/share/aspa.toml.in", FIRSTBOOT.with_name("aspa.toml.in"), 0o644),
    ("opt/aspa/share/aspa.example.toml", REPO / "aspa.example.toml", 0o644),
    ("opt/aspa/share/docs/updates.md", REPO / "docs/updates.md", 0o644),
    ("opt/aspa/share/image/README.md", REPO / "image/README.md", 0o644),
)

# (target's wants folder, unit)
ENABLED = (
    ("multi-user.target.wants", "aspa.service"),
    ("multi-user.target.wants", "aspa-firstboot.service"),
    ("timers.target.wants", "aspa-backup.timer"),
    ("multi-user.target.wants", "mosquitto.service"),
    ("multi-user.target.wants", "avahi-daemon.service"),
    ("multi-user.target.wants", "aspa-uart-modem.path"),
)


def _mosquitto_ids() -> tuple[int, int]:
    """The host's mosquitto ids where it exists, so the broker test can read its files."""
    try:
        entry = pwd.getpwnam("mosquitto")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 105, 108


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> AssembledTree:
    return assemble(tmp_path_factory.mktemp("image"), mosquitto_ids=_mosquitto_ids())


@pytest.mark.parametrize(("inside", "source", "mode"), SHIPPED,
                         ids=[inside for inside, _, _ in SHIPPED])
def test_each_file_is_installed_as_shipped(tree: AssembledTree, inside: str, source: Path,
                                          mode: int) -> None:
    installed = tree.root / inside
    assert installed.read_bytes() == source.read_bytes()
    info = installed.stat()
    assert stat.S_IMODE(info.st_mode) == mode
    assert (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid())  # root on the builder


@pytest.mark.parametrize(("wants", "unit"), ENABLED, ids=[unit for _, unit in ENABLED])
def test_units_are_enabled_as_symlinks(tree: AssembledTree, wants: str, unit: str) -> None:
    link = tree.root / "etc/systemd/system" / wants / unit
    assert link.is_symlink()
    target = os.readlink(link)
    assert target.endswith(f"/{unit}")
    assert (tree.root / target.lstrip("/")).is_file()


def test_the_backup_service_is_started_by_its_timer_only(tree: AssembledTree) -> None:
    wants = tree.root / "etc/systemd/system"
    assert not list(wants.glob("*.wants/aspa-backup.service"))


def test_the_venv_takes_the_locked_wheels_by_hash_and_nothing_from_the_network(
        tree: AssembledTree) -> None:
    wheel = tree.root / "opt/aspa/wheels" / tree.wheel
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "appliance/cli.py" in names and "appliance/backup/restore.py" in names
    commands = tree.target_log.splitlines()
    assert commands[0] == "python3 -m venv /opt/aspa/venv"
    locked = [c for c in commands if "-r /opt/aspa/wheels/wheels.lock" in c]
    assert len(locked) == 1 and "--require-hashes" in locked[0]
    assert f"--no-deps /opt/aspa/wheels/{tree.wheel}" in commands[2]
    pips = [c for c in commands if " install " in c]
    assert pips and all("--no-index" in c for c in pips)
    assert "/opt/aspa/venv/bin/python -m compileall -q /opt/aspa/venv/lib" in commands


def test_every_locked_wheel_is_pinned_and_hashed() -> None:
    lock = (REPO / "image/wheels.lock").read_text()
    pins = [line.split()[0] for line in lock.splitlines() if "==" in line]
    hashes = [line for line in lock.splitlines() if "--hash=sha256:" in line]
    assert len(pins) == len(hashes) >= 20
    assert any(pin.startswith("lgpio==") for pin in pins)  # the Pi's GPIO, not from Debian


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_of_the_package_is_in_the_lock() -> None:
    """A dependency added to pyproject.toml without image/lock-wheels.sh fails here, not
    twenty minutes into an image build (the box's pip check refuses the venv)."""
    lock = (REPO / "image/wheels.lock").read_text()
    locked = {_canonical(line.split("==")[0]) for line in lock.splitlines() if "==" in line}
    wanted = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in wanted:
        name = _canonical(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0])
        assert name in locked, (
            f"{name} is a dependency but not in image/wheels.lock: run image/lock-wheels.sh")


def test_the_state_folders_move_to_the_data_partition(tree: AssembledTree) -> None:
    ids = {line.split(":")[0]: int(line.split(":")[2]) for line in
           (tree.root / "etc/passwd").read_text().splitlines()}
    for name, owner in (("aspa", "aspa"), ("etc-aspa", "aspa"), ("mosquitto", "mosquitto")):
        info = (tree.data / name).stat()
        assert info.st_uid == ids[owner], name
        assert stat.S_IMODE(info.st_mode) == 0o750 or owner == "mosquitto", name
    for target in ("var/lib/aspa", "etc/aspa", "var/lib/mosquitto"):
        assert (tree.root / target).is_dir() and not any((tree.root / target).iterdir())
    fstab = (tree.root / "etc/fstab").read_text()
    assert "LABEL=ASPADATA /data ext4" in fstab
    for target in ("/var/lib/aspa", "/etc/aspa", "/var/lib/mosquitto"):
        assert f" {target} none bind," in fstab


def test_sysusers_made_the_static_user_in_the_device_groups(tree: AssembledTree) -> None:
    users = {line.split(":")[0]: line.split(":") for line in
             (tree.root / "etc/passwd").read_text().splitlines()}
    assert "aspa" in users and int(users["aspa"][2]) < 1000  # a system user, not DynamicUser
    groups = {line.split(":")[0]: line.split(":")[3].split(",") for line in
              (tree.root / "etc/group").read_text().splitlines()}
    assert "aspa" in groups["dialout"] and "aspa" in groups["gpio"]
    assert "aspa" in groups["audio"]  # an EC25's USB audio card


def test_fstab_lines_are_added_once_even_after_a_second_run(
        tree: AssembledTree, tmp_path: Path) -> None:
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    shutil.copy(tree.root / "opt/aspa/wheels" / tree.wheel, wheelhouse)
    done = run_layer(tree.root, tmp_path / "data", wheelhouse, tmp_path / "again.log")
    assert done.returncode == 0, done.stderr
    fstab = (tree.root / "etc/fstab").read_text()
    assert fstab.count("LABEL=ASPA-BACKUP /media/aspa-backup") == 1
    assert fstab.count("LABEL=ASPADATA /data") == 1
    assert "ROOTDEV  /" in fstab  # the base root's own lines untouched


def test_the_layer_refuses_to_run_without_a_wheel(tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    root.mkdir()
    (tmp_path / "wheelhouse").mkdir()
    done = run_layer(root, tmp_path / "data", tmp_path / "wheelhouse", tmp_path / "log")
    assert done.returncode != 0
    assert "no aspa-*.whl" in done.stderr


def test_first_boot_on_the_assembled_tree(tree: AssembledTree) -> None:
    done = subprocess.run([sys.executable, str(tree.root / "opt/aspa/bin/aspa-firstboot"),
                           "--root", str(tree.root), "--dry-run"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    ids = {line.split(":")[0]: int(line.split(":")[2]) for line in
           (tree.root / "etc/passwd").read_text().splitlines()}
    group_ids = {line.split(":")[0]: int(line.split(":")[2]) for line in
                 (tree.root / "etc/group").read_text().splitlines()}
    key = (tree.root / "var/lib/aspa/web-secret.key").stat()
    assert (key.st_uid, key.st_gid, stat.S_IMODE(key.st_mode)) == (
        ids["aspa"], group_ids["aspa"], 0o600)
    toml = (tree.root / "etc/aspa/aspa.toml").stat()
    assert (toml.st_uid, toml.st_gid, stat.S_IMODE(toml.st_mode)) == (
        ids["aspa"], group_ids["aspa"], 0o640)
    assert (tree.root / "var/lib/aspa-firstboot/done").exists()
