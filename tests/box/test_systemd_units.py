"""The service unit passes systemd's own offline checks and stays hardened."""

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze missing: install the Debian package systemd",
)


def _unit_for_this_machine(tmp_path: Path) -> Path:
    """The shipped unit, with ExecStart pointing at an executable that exists here."""
    text = (SYSTEMD / "aspa.service").read_text()
    assert "ExecStart=/opt/aspa/venv/bin/aspa " in text
    unit = tmp_path / "aspa.service"
    unit.write_text(text.replace("/opt/aspa/venv/bin/aspa", sys.executable))
    return unit


@needs_analyze
def test_unit_verifies_without_errors_or_warnings(tmp_path):
    unit = _unit_for_this_machine(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--recursive-errors=yes", str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    own = [line for line in result.stderr.splitlines() if "aspa.service" in line]
    assert result.returncode == 0 and not own, result.stderr


@needs_analyze
def test_verify_would_catch_a_broken_unit(tmp_path):
    unit = _unit_for_this_machine(tmp_path)
    unit.write_text(unit.read_text().replace("Type=notify", "Tpye=notify"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--recursive-errors=yes", str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "Tpye" in result.stderr


@needs_analyze
def test_security_exposure_is_low(tmp_path):
    unit = _unit_for_this_machine(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True, text=True, timeout=60,
    )
    found = re.search(r"Overall exposure level for aspa\.service: ([0-9.]+)", result.stdout)
    assert found, result.stdout[-2000:]
    score = float(found.group(1))
    print(f"systemd-analyze security: exposure {score} (0 = most hardened, 10 = unhardened)")
    assert score <= 2.5


def test_unit_has_what_the_box_relies_on():
    text = (SYSTEMD / "aspa.service").read_text()
    for line in (
        "Type=notify", "Restart=on-failure", "User=aspa", "SupplementaryGroups=dialout gpio audio",
        "ProtectSystem=strict", "StateDirectory=aspa", "Environment=LG_WD=/run/aspa",
    ):
        assert re.search(rf"^{re.escape(line)}$", text, re.M), line
    assert re.search(r"^WatchdogSec=\d+$", text, re.M)
    assert not re.search(r"^DynamicUser=", text, re.M)
    assert not re.search(r"^PrivateDevices=yes", text, re.M)


def test_sysusers_puts_aspa_in_the_device_groups():
    lines = [line.split() for line in (SYSTEMD / "aspa.sysusers.conf").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[1][:2] == ["u", "aspa"]
    assert ["m", "aspa", "dialout"] in lines
    assert ["m", "aspa", "gpio"] in lines


def test_avahi_service_announces_the_web_page():
    root = ET.parse(SYSTEMD / "avahi" / "aspa.service").getroot()
    service = root.find("service")
    assert service is not None
    assert service.findtext("type") == "_http._tcp"
    assert service.findtext("port") == "80"
