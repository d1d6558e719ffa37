"""A full disk, a read-only data partition, a missing modem at boot: said plainly, then healed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.config.aspa_toml import load_config
from appliance.doctor.data_partition import data_partition
from appliance.gsm.simulator import create_simulator
from tests.systemd_listener import NotifyListener

REPO = Path(__file__).resolve().parents[2]


def _doctor(config: Path) -> dict[str, dict[str, str]]:
    done = subprocess.run([sys.executable, "-m", "appliance", "--config", str(config), "doctor",
                           "--json"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return {row["part"]: row for row in json.loads(done.stdout)}


def _config(root: Path, data_dir: Path, extra: str = "") -> Path:
    config = root / "aspa.toml"
    config.write_text(f'data_dir = "{data_dir}"\n[web]\nenabled = false\n{extra}')
    return config


def test_a_full_data_partition_is_named_and_clears_when_space_is_freed(
        tmp_path: Path, tiny_mount: Path) -> None:
    data = tiny_mount / "aspa"
    data.mkdir()
    config = _config(tmp_path, data)
    filler = tiny_mount / "filler"
    with filler.open("wb") as out, pytest.raises(OSError):
        out.write(b"\0" * 2 * 1024 * 1024)  # fill it: the write fails with ENOSPC
    row = _doctor(config)["data dir"]
    assert row["status"] == "fail" and "free some space now" in row["detail"]


def test_a_read_only_data_partition_fails_its_row_until_remounted(
        tmp_path: Path, tiny_mount: Path) -> None:
    data = tiny_mount / "aspa"
    data.mkdir()
    config = _config(tmp_path, data)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_mount)], check=True)
    rows = _doctor(config)
    assert rows["data partition"]["status"] == "fail"
    assert "mounted read-only: nothing can be saved" in rows["data partition"]["detail"]
    assert "fsck" in rows["data partition"]["detail"]
    assert rows["data dir"]["status"] == "fail"
    assert "Read-only file system" in rows["data dir"]["detail"]

    subprocess.run(["mount", "-o", "remount,rw", str(tiny_mount)], check=True)
    rows = _doctor(config)
    assert rows["data partition"]["status"] == "ok"
    assert "read-write" in rows["data partition"]["detail"]


def test_data_on_an_overlay_root_is_refused_because_a_reboot_loses_it(tmp_path: Path) -> None:
    # proc(5) mountinfo lines of a box whose root is overlayroot's overlay and /data is missing
    table = tmp_path / "mountinfo"
    table.write_text(
        "22 1 0:21 / / rw,noatime - overlay overlayroot rw,lowerdir=/media/root-ro\n"
        "25 22 179:1 / /boot/firmware rw,relatime - vfat /dev/mmcblk0p1 rw\n")
    config = load_config(_config(tmp_path, tmp_path / "data"))
    row = data_partition(config, table)
    assert row.status == "fail"
    assert "lost at the next reboot" in row.detail and "aspa-readonly off" in row.detail
    table.write_text(table.read_text() + "30 22 179:3 / /data rw - ext4 /dev/mmcblk0p3 rw\n"
                     f"31 22 179:3 /aspa {tmp_path} rw - ext4 /dev/mmcblk0p3 rw\n")
    row = data_partition(config, table)
    assert row.status == "ok"
    assert "/dev/mmcblk0p3 (ext4)" in row.detail and "read-only overlay" in row.detail


async def test_a_missing_modem_at_boot_is_reported_and_the_line_comes_up_when_plugged(
        tmp_path: Path) -> None:
    devices = tmp_path / "dev"
    devices.mkdir()
    device = devices / "gsm-modem"
    data = tmp_path / "data"
    config = _config(tmp_path, data, f'[gsm]\nenabled = true\n[[gsm.modems]]\n'
                                     f'device = "{device}"\nmodel = "sim7600"\n')
    rows = await asyncio.to_thread(_doctor, config)
    assert rows["gsm"]["status"] == "fail"
    assert f"modem port {device} does not exist (unplugged?)" in rows["gsm"]["detail"]

    listener = NotifyListener.in_dir(tmp_path)
    env = {**os.environ, "NOTIFY_SOCKET": listener.address}
    log = tmp_path / "daemon.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "appliance", "--config", str(config), "run", cwd=REPO, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=err)
    sim = create_simulator("sim7600", devices, "gsm-modem")
    try:
        ready = await listener.wait_for("READY", within=60)  # the service starts regardless
        status = ready["STATUS"]
        while "does not exist" not in status:
            status = (await listener.wait_for("STATUS", within=30))["STATUS"]
        assert f"gsm0: down: modem port {device} does not exist (unplugged?)" in status
        await sim.start()  # the modem is plugged in: the line comes up and takes an SMS
        [index] = await sim.sms_arrives("+358401112222", "are you there?")
        async with asyncio.timeout(30):
            while index in sim.sms:
                await sim.wait_for_command("AT+CMGD", within=30, start=len(sim.received))
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 30)
        await sim.stop()
        listener.close()
    journal = log.read_text()
    assert f"modem port {device} does not exist" in journal and "Traceback" not in journal
