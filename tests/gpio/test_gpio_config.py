"""`aspa config check` on the [gpio] and [[desk_units]] sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.cli import main

AGENTS = """
[[agents]]
login = "anna"
name = "Anna"
"""


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    path = tmp_path / "aspa.toml"
    path.write_text(text)
    status = main(["config", "check", str(path)])
    err = capsys.readouterr().err
    return status, [line.removeprefix(f"{path}: ") for line in err.splitlines()]


def test_a_pin_used_twice_names_both_keys(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = AGENTS + """
[gpio]
enabled = true

[[gpio.desks]]
agent = "anna"
button_pin = 17
green_pin = 20
red_pin = 22
"""
    status, problems = check(tmp_path, text, capsys)
    assert status == 2
    assert problems == [
        "gpio.desks[0].green_pin: GPIO 20 is already used by gpio.waiting_led_pin"]


def test_pins_off_the_header_and_unknown_agents_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = AGENTS + """
[gpio]
pin_factory = "wiringpi"

[[gpio.desks]]
agent = "anna"
button_pin = 40
green_pin = 27
red_pin = 22

[[gpio.desks]]
agent = "bertta"
button_pin = 23
green_pin = 24
red_pin = 25

[[desk_units]]
id = "desk-anna"
agent = "anna"

[[desk_units]]
id = "Desk_Anna"
agent = "anna"

[[desk_units]]
id = "desk-anna"
agent = "olli"
"""
    status, problems = check(tmp_path, text, capsys)
    assert status == 2
    assert problems == [
        "gpio.pin_factory: must be one of , lgpio, rpigpio, pigpio, native, mock, not 'wiringpi'",
        "gpio.desks[0].button_pin: must be a BCM GPIO number 2-27, not 40",
        "desk_units[1].id: must be lowercase letters, digits and '-' (at most 63), "
        "not 'Desk_Anna'",
        "desk_units[2].id: 'desk-anna' is already used by desk_units[0]",
        "desk_units[2].agent: 'olli' is not the login of any [[agents]] (known: anna)",
        "gpio.desks[1].agent: 'bertta' is not the login of any [[agents]] (known: anna)",
    ]


def test_the_defaults_and_a_paired_desk_pass(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = AGENTS + """
[[gpio.desks]]
agent = "anna"
button_pin = 17
green_pin = 27
red_pin = 22

[[desk_units]]
id = "desk-anna"
agent = "anna"
password = "s3cret-enough"
"""
    status, problems = check(tmp_path, text, capsys)
    assert (status, problems) == (0, [])
