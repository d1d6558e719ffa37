"""aspa-firstboot on a tree (--dry-run): secrets with the right owners and modes, kept on rerun."""

from __future__ import annotations

import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config.aspa_toml import load_config
from appliance.desk.broker_files import acl_text
from tests.box.image_tree import FIRSTBOOT, seed_rootfs
from tests.peers.mosquitto import MosquittoFactory
from tests.peers.mqtt_probe import MqttConnectRefused, MqttProbe

ASPA_UID, ASPA_GID = 990, 990
SHIPPED_ACL = FIRSTBOOT.parents[3] / "systemd" / "mosquitto" / "aspa.acl"

pytestmark = pytest.mark.skipif(shutil.which("mosquitto_passwd") is None,
                                reason="mosquitto_passwd missing: install the Debian package "
                                       "mosquitto")

SECRETS = (  # (path, owner uid, group gid, mode)
    ("etc/aspa/mqtt-password", ASPA_UID, ASPA_GID, 0o600),
    ("etc/aspa/aspa.toml", ASPA_UID, ASPA_GID, 0o640),
    ("var/lib/aspa/web-secret.key", ASPA_UID, ASPA_GID, 0o600),
    ("etc/mosquitto/aspa.passwd", "mosquitto", "mosquitto", 0o600),
)


def _mosquitto_ids() -> tuple[int, int]:
    try:
        entry = pwd.getpwnam("mosquitto")
        return entry.pw_uid, entry.pw_gid
    except KeyError:
        return 105, 108


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A tree after the stage: accounts (aspa from sysusers), the template."""
    tree = tmp_path / "rootfs"
    seed_rootfs(tree, mosquitto_ids=_mosquitto_ids())
    with (tree / "etc/passwd").open("a") as out:
        out.write(f"aspa:x:{ASPA_UID}:{ASPA_GID}:Aspa:/var/lib/aspa:/usr/sbin/nologin\n")
    with (tree / "etc/group").open("a") as out:
        out.write(f"aspa:x:{ASPA_GID}:\ngpio:x:993:aspa\n")
    share = tree / "opt/aspa/share"
    share.mkdir(parents=True)
    shutil.copy(FIRSTBOOT.with_name("aspa.toml.in"), share / "aspa.toml.in")
    return tree


def firstboot(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(FIRSTBOOT), "--root", str(root), "--dry-run"],
                          capture_output=True, text=True, timeout=60)


def _contents(root: Path) -> dict[str, bytes]:
    return {path: (root / path).read_bytes() for path, *_ in SECRETS}


def test_makes_every_secret_with_its_owner_and_mode(root: Path) -> None:
    done = firstboot(root)
    assert done.returncode == 0, done.stdout + done.stderr
    mosquitto = _mosquitto_ids()
    for path, uid, gid, mode in SECRETS:
        info = (root / path).stat()
        want_uid = mosquitto[0] if uid == "mosquitto" else uid
        want_gid = mosquitto[1] if gid == "mosquitto" else gid
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == \
            (want_uid, want_gid, mode), path
    assert len(bytes.fromhex((root / "var/lib/aspa/web-secret.key").read_text())) == 32
    # /etc/aspa is aspa's: the web page saves the settings there (new file, then rename).
    for folder, uid, mode in (("etc/aspa", ASPA_UID, 0o750), ("var/lib/aspa", ASPA_UID, 0o750)):
        info = (root / folder).stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (uid, mode), folder
    assert (root / "etc/hostname").read_text() == "aspa\n"
    assert "127.0.1.1\taspa" in (root / "etc/hosts").read_text()
    assert (root / "var/lib/aspa-firstboot/done").exists()
    assert "dry run: would grow partition ASPADATA to fill the card" in done.stdout


def test_the_written_config_loads_and_its_password_opens_the_broker(
        root: Path, make_mosquitto: MosquittoFactory) -> None:
    assert firstboot(root).returncode == 0
    config = load_config(root / "etc/aspa/aspa.toml")
    password = (root / "etc/aspa/mqtt-password").read_text().strip()
    assert config.box.name == "aspa" and config.web.port == 80
    assert config.mqtt.enabled and config.mqtt.username == "aspa"
    assert config.mqtt.password == password and len(password) >= 32
    broker = make_mosquitto(allow_anonymous=False, extra_config=[
        f"password_file {root / 'etc/mosquitto/aspa.passwd'}"])
    MqttProbe(broker.host, broker.port, username="aspa", password=password).connect().close()
    with pytest.raises(MqttConnectRefused):
        MqttProbe(broker.host, broker.port, username="aspa", password="guess").connect()


def test_a_second_run_keeps_everything(root: Path) -> None:
    assert firstboot(root).returncode == 0
    before = _contents(root)
    again = firstboot(root)
    assert again.returncode == 0
    assert _contents(root) == before
    assert "kept /etc/aspa/mqtt-password (already there)" in again.stdout
    assert "kept /etc/mosquitto/aspa.passwd (user aspa already there)" in again.stdout


def test_desk_units_in_the_password_file_are_kept(root: Path) -> None:
    passwd = root / "etc/mosquitto/aspa.passwd"
    passwd.parent.mkdir(parents=True)
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "desk-anna", "anna-pw"],
                   check=True, capture_output=True)
    done = firstboot(root)
    assert done.returncode == 0, done.stdout
    users = [line.split(":")[0] for line in passwd.read_text().split()]
    assert users == ["desk-anna", "aspa"]
    assert "added user aspa to /etc/mosquitto/aspa.passwd" in done.stdout


def test_the_box_name_goes_into_the_shipped_broker_acl(root: Path) -> None:
    acl = root / "etc/mosquitto/aspa.acl"
    acl.parent.mkdir(parents=True)
    shutil.copy(SHIPPED_ACL, acl)
    (root / "boot/firmware/aspa-hostname.txt").write_text("toimisto\n")
    done = firstboot(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert acl.read_text() == acl_text("toimisto")
    assert "desk units may use aspa/toimisto/desk/<their id> only" in done.stdout
    assert firstboot(root).returncode == 0
    assert acl.read_text() == acl_text("toimisto")


def test_host_name_from_the_boot_partition(root: Path) -> None:
    (root / "boot/firmware/aspa-hostname.txt").write_text("Aspa-Toimisto\n")
    assert firstboot(root).returncode == 0
    assert (root / "etc/hostname").read_text() == "aspa-toimisto\n"
    assert load_config(root / "etc/aspa/aspa.toml").box.name == "aspa-toimisto"


def test_a_bad_host_name_falls_back_and_says_so(root: Path) -> None:
    (root / "boot/firmware/aspa-hostname.txt").write_text("office box!\n")
    done = firstboot(root)
    assert done.returncode == 0
    assert "'office box!' is not a host name" in done.stdout
    assert (root / "etc/hostname").read_text() == "aspa\n"


def test_the_installers_ssh_key_from_the_boot_partition_is_let_in(root: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2a installer@laptop"
    (root / "boot/firmware/aspa-ssh-key.pub").write_text(f"# the installer\n{key}\n")
    done = firstboot(root)
    assert done.returncode == 0, done.stdout
    known = root / "root/.ssh/authorized_keys"
    assert known.read_text() == key + "\n"
    assert stat.S_IMODE(known.stat().st_mode) == 0o600
    assert stat.S_IMODE(known.parent.stat().st_mode) == 0o700
    assert firstboot(root).returncode == 0
    assert known.read_text() == key + "\n"  # kept once, not added again


def test_without_the_aspa_user_it_stops_and_says_why(tmp_path: Path) -> None:
    tree = tmp_path / "bare"
    seed_rootfs(tree, mosquitto_ids=_mosquitto_ids())
    done = firstboot(tree)
    assert done.returncode == 1
    assert "aspa is not in" in done.stdout and "systemd-sysusers" in done.stdout
    assert not (tree / "var/lib/aspa-firstboot/done").exists()
