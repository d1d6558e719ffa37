"""A target tree like the Debian base root, and Aspa's layer (image/layer/install.sh) run into it.

scripts/image runs the layer on the real arm64 root, where `chroot` runs the venv
and pip through qemu-user-static. Here the root is a seeded folder: the layer's
in-target commands go to a recorder (ASPA_IN_TARGET) that keeps them, and
`systemctl --root` and `systemd-sysusers --root` work on the folder as they do on
the real root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAYER = REPO / "image" / "layer"
FIRSTBOOT = LAYER / "files" / "aspa-firstboot"

# The units the earlier stages' packages (mosquitto, avahi-daemon) install.
PACKAGE_UNIT = "[Unit]\nDescription={name}\n\n[Service]\nExecStart=/bin/true\n\n" \
    "[Install]\nWantedBy=multi-user.target\n"

RECORDER = """#!/bin/sh
printf '%s\\n' "$*" >> "$ASPA_TARGET_LOG"
"""


@dataclass(frozen=True)
class AssembledTree:
    """The tree after the layer ran, the data partition's folder, and the in-target commands."""

    root: Path
    data: Path
    target_log: str
    wheel: str


def seed_rootfs(root: Path, *, mosquitto_ids: tuple[int, int] = (105, 108)) -> None:
    """What stage0-2 and 00-packages leave: accounts, an fstab and the packages' units."""
    uid, gid = mosquitto_ids
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        f"mosquitto:x:{uid}:{gid}::/var/lib/mosquitto:/usr/sbin/nologin\n")
    (root / "etc/group").write_text(f"root:x:0:\ndialout:x:20:\nmosquitto:x:{gid}:\n")
    (root / "etc/shadow").write_text("root:*:20000:0:99999:7:::\nmosquitto:*:20000::::::\n")
    (root / "etc/gshadow").write_text("root:*::\ndialout:*::\nmosquitto:*::\n")
    (root / "etc/fstab").write_text(
        "proc            /proc           proc    defaults          0       0\n"
        "BOOTDEV  /boot/firmware  vfat    defaults          0       2\n"
        "ROOTDEV  /               ext4    defaults,noatime  0       1\n")
    units = root / "usr/lib/systemd/system"
    units.mkdir(parents=True)
    for name in ("mosquitto", "avahi-daemon"):
        (units / f"{name}.service").write_text(PACKAGE_UNIT.format(name=name))
    (root / "boot/firmware").mkdir(parents=True)
    (root / "var/lib/mosquitto").mkdir(parents=True)
    os.chown(root / "var/lib/mosquitto", uid, gid)


def build_wheel(into: Path) -> str:
    """The real wheel of this repository, as scripts/image makes it.

    Built from a copy of the package's sources, so setuptools' build/ folder lands in
    the test's temporary folder and not in the work tree.
    """
    source = into.parent / "wheel-source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "appliance", source / "appliance",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(into), str(source)],
                   check=True, capture_output=True, timeout=300)
    shutil.rmtree(source)
    wheels = sorted(into.glob("aspa-*.whl"))
    assert wheels, "pip wheel made no aspa wheel"
    return wheels[-1].name


def run_layer(root: Path, data: Path, wheelhouse: Path,
              log: Path) -> subprocess.CompletedProcess[str]:
    """Run image/layer/install.sh as scripts/image does, with the in-target commands recorded."""
    recorder = log.with_name("in-target")
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "ASPA_IN_TARGET": str(recorder),
           "ASPA_TARGET_LOG": str(log)}
    return subprocess.run([str(LAYER / "install.sh"), str(root), str(data), str(wheelhouse)],
                          env=env, capture_output=True, text=True, timeout=120)


def assemble(workdir: Path, *, mosquitto_ids: tuple[int, int] = (105, 108)) -> AssembledTree:
    """A seeded tree with Aspa's layer run into it."""
    wheelhouse = workdir / "wheelhouse"
    wheelhouse.mkdir()
    wheel = build_wheel(wheelhouse)
    root, data = workdir / "rootfs", workdir / "data"
    seed_rootfs(root, mosquitto_ids=mosquitto_ids)
    log = workdir / "in-target.log"
    done = run_layer(root, data, wheelhouse, log)
    assert done.returncode == 0, done.stderr
    return AssembledTree(root=root, data=data, target_log=log.read_text(), wheel=wheel)
