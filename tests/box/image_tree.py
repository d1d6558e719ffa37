"""A target tree like the one pi-gen hands to Aspa's stage, and the stage run into it.

pi-gen runs `00-run.sh` on the build host with the tree in ROOTFS_DIR and calls
`on_chroot` for what must run inside it. Here `on_chroot` is a recorder: it keeps
every script it is given, and replays the two kinds of lines that work on a tree
from outside: `systemctl enable` (as `systemctl --root`) and `systemd-sysusers`
(as `systemd-sysusers --root`). pip and the venv are recorded only: they need the
target's (arm64) Python.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAGE = REPO / "image" / "stage-aspa"
SUB_STAGE = "00-aspa"
FIRSTBOOT = STAGE / SUB_STAGE / "files" / "aspa-firstboot"

# The units the earlier stages' packages (mosquitto, avahi-daemon) install.
PACKAGE_UNIT = "[Unit]\nDescription={name}\n\n[Service]\nExecStart=/bin/true\n\n" \
    "[Install]\nWantedBy=multi-user.target\n"

RECORDER = r"""
on_chroot() {
    local script
    script="$(cat)"
    printf '%s\n--- end of on_chroot ---\n' "$script" >> "$CHROOT_LOG"
    while read -r program rest; do
        case "$program" in
            systemctl) systemctl --root="$ROOTFS_DIR" $rest ;;
            systemd-sysusers) systemd-sysusers --root="$ROOTFS_DIR" ;;
        esac
    done <<< "$script"
}
export -f on_chroot
cd "$SUB_STAGE_DIR" && ./00-run.sh
"""


@dataclass(frozen=True)
class AssembledTree:
    """The tree after the stage ran, and what the stage asked to run inside it."""

    root: Path
    chroot_log: str
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


def build_wheel(into: Path) -> str:
    """The real wheel of this repository, as image/build-wheel.sh makes it.

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


def run_stage(stage_copy: Path, root: Path, log: Path) -> subprocess.CompletedProcess[str]:
    """Run the stage's 00-run.sh as pi-gen does, with on_chroot recording."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "ROOTFS_DIR": str(root),
           "ASPA_REPO": str(REPO), "CHROOT_LOG": str(log),
           "SUB_STAGE_DIR": str(stage_copy / SUB_STAGE)}
    return subprocess.run(["bash", "-e", "-c", RECORDER], env=env, capture_output=True,
                          text=True, timeout=120)


def assemble(workdir: Path, *, mosquitto_ids: tuple[int, int] = (105, 108)) -> AssembledTree:
    """A seeded tree with Aspa's stage run into it (the stage copied, so the repo stays clean)."""
    stage_copy = workdir / "stage-aspa"
    shutil.copytree(STAGE, stage_copy)
    wheel = build_wheel(stage_copy / SUB_STAGE / "files")
    root = workdir / "rootfs"
    seed_rootfs(root, mosquitto_ids=mosquitto_ids)
    log = workdir / "on_chroot.log"
    done = run_stage(stage_copy, root, log)
    assert done.returncode == 0, done.stderr
    return AssembledTree(root=root, chroot_log=log.read_text(), wheel=wheel)
