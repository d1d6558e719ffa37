"""The model udev names for a modem's port, read from udev's database as libudev does."""

from __future__ import annotations

import os
from pathlib import Path

from appliance.gsm.udev_model import udev_model


def _record_for(device: str, data: Path, text: str) -> None:
    node = os.stat(device)
    data.mkdir(exist_ok=True)
    (data / f"c{os.major(node.st_rdev)}:{os.minor(node.st_rdev)}").write_text(text)


def test_the_model_of_a_port_udev_tagged(tmp_path: Path) -> None:
    _record_for("/dev/null", tmp_path, "S:gsm-modem\nE:ID_MM_DEVICE_IGNORE=1\n"
                                       "E:ASPA_MODEM_MODEL=sim800\nG:systemd\n")
    assert udev_model("/dev/null", tmp_path) == "sim800"


def test_a_link_is_followed_to_its_node(tmp_path: Path) -> None:
    _record_for("/dev/null", tmp_path / "data", "E:ASPA_MODEM_MODEL=ec25\n")
    (tmp_path / "gsm-modem").symlink_to("/dev/null")
    assert udev_model(str(tmp_path / "gsm-modem"), tmp_path / "data") == "ec25"


def test_no_model_when_udev_says_nothing(tmp_path: Path) -> None:
    _record_for("/dev/null", tmp_path, "E:ID_MM_DEVICE_IGNORE=1\n")
    assert udev_model("/dev/null", tmp_path) is None
    assert udev_model("/dev/zero", tmp_path) is None  # no record at all
    assert udev_model(str(tmp_path / "missing"), tmp_path) is None
    plain = tmp_path / "plain"
    plain.write_text("E:ASPA_MODEM_MODEL=sim800\n")
    assert udev_model(str(plain), tmp_path) is None  # not a device
