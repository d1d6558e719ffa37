"""The official MicroPython WebAssembly port from npm, installed once into a cache folder."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGE = "@micropython/micropython-webassembly-pyscript"
VERSION = "1.27.0"
RUNNER = Path(__file__).with_name("run_micropython.mjs")
INSTALL_TIMEOUT_S = 300


def cache_dir() -> Path:
    """Outside the repository: $XDG_CACHE_HOME/aspa-tests/mp-wasm (or ~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aspa-tests" / "mp-wasm"


def package_dir() -> Path:
    """The installed package's folder; skips the test with the reason when it cannot be had."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("MicroPython tests need node and npm (Debian packages nodejs, npm)")
    target = cache_dir()
    installed = target / "node_modules" / PACKAGE
    if not (installed / "micropython.mjs").exists():
        target.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(target),
             f"{PACKAGE}@{VERSION}"],
            capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False)
        if done.returncode != 0:
            pytest.skip(f"npm could not install {PACKAGE}: {done.stderr.strip()[-300:]}")
    return installed


def run_micropython(files: list[Path], code: str, timeout_s: float = 60) -> tuple[int, str]:
    """Run `code` under MicroPython with `files` importable; (exit status, output)."""
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(RUNNER), str(package_dir()), *map(str, files), "--", code],
        capture_output=True, text=True, timeout=timeout_s, check=False)
    return done.returncode, done.stdout + done.stderr
