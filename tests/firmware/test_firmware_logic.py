"""The firmware's logic under real MicroPython (WebAssembly port) and under CPython."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.firmware import firmware_checks
from tests.firmware.conftest import FIRMWARE
from tests.firmware.micropython_wasm import run_micropython

CHECKS = sorted(name for name in dir(firmware_checks) if name.startswith("check_"))
LOGIC = sorted(p for p in FIRMWARE.glob("*.py") if p.name != "main.py")

_RUN_ALL = """
import firmware_checks
for name in sorted(dir(firmware_checks)):
    if name.startswith("check_"):
        try:
            getattr(firmware_checks, name)()
            print("ok", name)
        except Exception as error:
            print("FAIL", name, repr(error))
"""


@pytest.fixture(scope="module")
def micropython_results() -> dict[str, str]:
    """Every check run once under MicroPython: name → "ok" or the failure."""
    status, output = run_micropython([*LOGIC, Path(firmware_checks.__file__)], _RUN_ALL)
    assert status == 0, output
    results = {}
    for line in output.splitlines():
        verdict, _, rest = line.partition(" ")
        name, _, why = rest.partition(" ")
        if verdict in ("ok", "FAIL"):
            results[name] = "ok" if verdict == "ok" else why
    return results


@pytest.mark.parametrize("name", CHECKS)
def test_under_cpython(name: str) -> None:
    getattr(firmware_checks, name)()


@pytest.mark.parametrize("name", CHECKS)
def test_under_micropython(name: str, micropython_results: dict[str, str]) -> None:
    assert micropython_results.get(name) == "ok", micropython_results.get(name, "not run")


def test_micropython_is_the_real_interpreter() -> None:
    status, output = run_micropython([], "import sys\nprint(sys.implementation.name)")
    assert (status, output.strip()) == (0, "micropython")


def test_main_compiles_under_micropython() -> None:
    """main.py needs the board to run, but MicroPython must accept every line of it."""
    code = f"compile({(FIRMWARE / 'main.py').read_text()!r}, 'main.py', 'exec')\nprint('compiled')"
    status, output = run_micropython([], code)
    assert (status, output.strip()) == (0, "compiled"), output


def test_dataclasses_really_are_missing_there() -> None:
    """The reason the firmware is written without them: the check must see the real port."""
    status, output = run_micropython([], "import dataclasses")
    assert status != 0 and "ImportError" in output
