"""hardware/pin-map.md and the default configuration are one source of truth."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import tomllib
from pathlib import Path

from appliance.config.sections.gpio import GpioSettings

ROOT = Path(__file__).resolve().parents[2]
PIN_MAP = ROOT / "hardware" / "pin-map.md"

# Raspberry Pi 40-pin header: BCM GPIO → physical pin (pinout.xyz; the same on every 40-pin Pi).
HEADER = {0: 27, 1: 28, 2: 3, 3: 5, 4: 7, 5: 29, 6: 31, 7: 26, 8: 24, 9: 21, 10: 19, 11: 23,
          12: 32, 13: 33, 14: 8, 15: 10, 16: 36, 17: 11, 18: 12, 19: 35, 20: 38, 21: 40, 22: 15,
          23: 16, 24: 18, 25: 22, 26: 37, 27: 13}
HEADER_GROUND = {6, 9, 14, 20, 25, 30, 34, 39}
# Raspberry Pi Pico W pinout (datasheet §2.1): GP → physical pin.
PICO = {0: 1, 1: 2, 2: 4, 3: 5, 4: 6, 5: 7, 6: 9, 7: 10, 8: 11, 9: 12, 10: 14, 11: 15, 12: 16,
        13: 17, 14: 19, 15: 20, 16: 21, 17: 22, 18: 24, 19: 25, 20: 26, 21: 27, 22: 29, 26: 31,
        27: 32, 28: 34}
PICO_GROUND = {3, 8, 13, 18, 23, 28, 33, 38}

_ROW = re.compile(r"^\| `([a-z_.\[\]0-9]+)` \| (\d+) \| (\d+) \| (.*) \|$")


def section(title: str) -> list[tuple[str, int, int, str]]:
    """(key, GPIO, pin, wired to) of each keyed row under the `## title` heading."""
    text = PIN_MAP.read_text(encoding="utf-8")
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [(m[1], int(m[2]), int(m[3]), m[4])
            for m in (_ROW.match(line) for line in body.splitlines()) if m]


def box_defaults() -> dict[str, int]:
    """Every pin key of the default configuration: [gpio] defaults and the example's desks."""
    defaults = GpioSettings()
    pins: dict[str, int] = {f"gpio.{f.name}": getattr(defaults, f.name)
                            for f in dataclasses.fields(GpioSettings) if f.name.endswith("_pin")}
    example = (ROOT / "aspa.example.toml").read_text(encoding="utf-8")
    uncommented = re.sub(r"(?m)^#(?=\[|[A-Za-z_][A-Za-z0-9_]*\s*=)", "", example)
    for i, desk in enumerate(tomllib.loads(uncommented)["gpio"]["desks"]):
        for key, value in desk.items():
            if key.endswith("_pin"):
                pins[f"gpio.desks[{i}].{key}"] = value
    return pins


def test_the_box_pin_map_is_the_default_config() -> None:
    rows = section("The box (Raspberry Pi)")
    assert {key: gpio for key, gpio, _, _ in rows} == box_defaults()


def test_the_box_pin_map_names_the_right_header_pins_and_grounds() -> None:
    for key, gpio, pin, wired in section("The box (Raspberry Pi)"):
        assert HEADER[gpio] == pin, f"{key}: GPIO {gpio} is header pin {HEADER[gpio]}, not {pin}"
        grounds = {int(g) for g in re.findall(r"GND pin (\d+)", wired)}
        assert grounds and grounds <= HEADER_GROUND, f"{key}: {wired}"


def test_no_gpio_is_used_twice_or_taken_from_the_modem_and_i2c() -> None:
    used = [gpio for _, gpio, _, _ in section("The box (Raspberry Pi)")]
    assert len(used) == len(set(used))
    assert not set(used) & {0, 1, 2, 3, 4, 6, 14, 15}


def test_the_desk_unit_pin_map_is_the_firmware_default_and_example() -> None:
    source = ROOT / "firmware" / "desk_config.py"
    spec = importlib.util.spec_from_file_location("desk_config", source)
    assert spec is not None and spec.loader is not None
    desk_config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(desk_config)
    defaults = desk_config.DEFAULTS
    rows = section("The desk unit (Raspberry Pi Pico W)")
    example = json.loads((ROOT / "firmware" / "config.example.json").read_text())
    for key, gp, pin, wired in rows:
        assert PICO[gp] == pin, f"{key}: GP{gp} is Pico pin {PICO[gp]}, not {pin}"
        assert {int(g) for g in re.findall(r"GND pin (\d+)", wired)} <= PICO_GROUND, wired
        if key == "buzzer_pin":  # optional: off until fitted, the map says where it goes
            assert defaults[key] is None and example[key] is None
            continue
        assert defaults[key] == gp == example[key], key
    keys = [key for key, _, _, _ in rows]
    assert sorted(keys) == sorted(k for k in defaults if k.endswith("_pin"))
    assert len({gp for _, gp, _, _ in rows}) == len(rows)
