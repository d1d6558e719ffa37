"""Starting a line: model detection, generic mode, busy modems, SIM states, settings."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from appliance.config.schema import load_section
from appliance.config.sections.gsm_modems import ModemSettings
from appliance.gsm.errors import PinRejected, SimLocked
from appliance.gsm.simulator import SimulatedModem

from .line_harness import close_line, open_line


async def test_generic_modem_runs_in_generic_mode(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="aspa.gsm.driver"):
        line = await open_line(tmp_path, "generic")
    try:
        assert line.driver.profile.key == "generic"
        assert "generic mode" in caplog.text
    finally:
        await close_line(line)


async def test_configured_model_overrides_detection(tmp_path: Path) -> None:
    line = await open_line(tmp_path, "sim800", model="generic")
    try:
        assert line.driver.profile.key == "generic"
        assert "AT+CLCC=1" not in line.sim.received
    finally:
        await close_line(line)


async def test_device_busy_during_start_is_retried(tmp_path: Path) -> None:
    def busy(sim: SimulatedModem) -> None:
        sim.fail_next("+CME ERROR: 515", 2)

    line = await open_line(tmp_path, "ec25", prepare=busy)
    try:
        # the first command, the query that follows ESC, is the one retried
        assert line.sim.received[:4] == ["AT+CMEE?", "AT+CMEE?", "AT+CMEE?", "ATE0"]
        assert line.driver.profile.key == "ec25"
    finally:
        await close_line(line)


async def test_a_modem_left_in_sms_input_is_freed_at_start(tmp_path: Path) -> None:
    sent: list[str] = []

    def killed_mid_sms(sim: SimulatedModem) -> None:
        sim.leave_in_sms_input()
        original = sim.send_sms

        def send_sms(number: str, body: str) -> list[str]:
            sent.append(body)
            return original(number, body)

        sim.send_sms = send_sms  # type: ignore[method-assign]

    line = await open_line(tmp_path, "sim800", prepare=killed_mid_sms)
    try:
        assert line.driver.profile.key == "sim800"
        assert line.sim.received[:2] == ["AT+CMEE?", "ATE0"]
        assert sent == []  # ESC abandoned the half-typed message; nothing went out
    finally:
        await close_line(line)


async def test_wrong_pin_raises_pin_rejected(tmp_path: Path) -> None:
    def locked(sim: SimulatedModem) -> None:
        sim.lock_sim("2468")

    with pytest.raises(PinRejected, match=r"check gsm\.modems\[\]\.pin"):
        await open_line(tmp_path, "sim7600", prepare=locked, pin="1357")


async def test_puk_locked_sim_is_reported_not_retried(tmp_path: Path) -> None:
    def puk(sim: SimulatedModem) -> None:
        sim.lock_sim("2468", tries=0)
        sim.cpin = "SIM PUK"

    with pytest.raises(SimLocked, match="PUK"):
        await open_line(tmp_path, "sim7600", prepare=puk, pin="2468")


async def test_pin_from_a_file(tmp_path: Path) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("2468\n", encoding="utf-8")

    def locked(sim: SimulatedModem) -> None:
        sim.lock_sim("2468")

    line = await open_line(tmp_path, "sim800", prepare=locked, pin_file=str(pin_file))
    try:
        assert line.sim.cpin == "READY"
    finally:
        await close_line(line)


def test_settings_are_checked_key_by_key() -> None:
    problems: list[str] = []
    load_section(ModemSettings, {"model": "nokia", "pin": "12", "pin_file": "/x",
                                 "clcc_poll_seconds": 0}, "gsm.modems[0]", problems)
    text = "\n".join(problems)
    assert "gsm.modems[0].model: must be one of auto" in text
    assert "gsm.modems[0].pin: must be 4 to 8 digits" in text
    assert "gsm.modems[0].clcc_poll_seconds: must be at least" in text


def test_pin_and_pin_file_are_alternatives() -> None:
    settings = dataclasses.replace(ModemSettings(), pin="1234", pin_file="/etc/aspa/pin")
    assert settings.validate() == ["pin: set pin or pin_file, not both"]
    assert "1234" not in repr(settings)


async def test_a_sim_with_a_try_already_spent_is_left_alone(tmp_path: Path) -> None:
    def spent(sim: SimulatedModem) -> None:
        sim.lock_sim("2468", tries=2)  # a wrong PIN was tried before the restart

    with pytest.raises(PinRejected, match="2 PIN tries left"):
        line = await open_line(tmp_path, "ec25", prepare=spent, pin="2468")
        await close_line(line)
