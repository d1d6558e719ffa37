"""Firmware tests: the firmware folder on sys.path, as it is the device's root folder."""

from __future__ import annotations

import binascii
import importlib
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.firmware import micropython_socket
from tests.firmware.umqtt_source import umqtt_root

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"

if str(FIRMWARE) not in sys.path:
    sys.path.insert(0, str(FIRMWARE))


@pytest.fixture
def umqtt_simple(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """umqtt.simple under CPython: MicroPython's u-modules given as their CPython twins."""
    root = umqtt_root()
    monkeypatch.setitem(sys.modules, "usocket", micropython_socket)
    monkeypatch.setitem(sys.modules, "ustruct", struct)
    monkeypatch.setitem(sys.modules, "ubinascii", binascii)
    monkeypatch.syspath_prepend(str(root))
    module = importlib.import_module("umqtt.simple")
    try:
        yield module
    finally:
        for name in [n for n in sys.modules if n == "umqtt" or n.startswith("umqtt.")]:
            del sys.modules[name]
