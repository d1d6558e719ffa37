"""micropython-lib's umqtt.simple from PyPI, unpacked into a cache folder (never into the repo)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

import pytest

from tests.firmware.micropython_wasm import cache_dir

DISTRIBUTION = "micropython-umqtt.simple"
VERSION = "1.3.4"
SHA256 = "b6a2520239e3992c63a7de9370ee9b3d9d27819a90359c521f1c0f7ccab8d12f"
_SDIST_URL = re.compile(r"https://\S+?\.tar\.gz")


def umqtt_root() -> Path:
    """A folder holding umqtt/simple.py; skips the test with the reason when it cannot be had."""
    root = cache_dir().parent / f"umqtt-simple-{VERSION}"
    if (root / "umqtt" / "simple.py").exists():
        return root
    download = cache_dir().parent / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    sdist = download / f"{DISTRIBUTION}-{VERSION}.tar.gz"
    if not sdist.exists():
        _fetch(sdist)
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != SHA256:
        sdist.unlink()
        pytest.fail(f"{sdist.name} has sha256 {digest}, expected {SHA256}")
    with tarfile.open(sdist) as archive:
        member = archive.getmember(f"{DISTRIBUTION}-{VERSION}/umqtt/simple.py")
        source = archive.extractfile(member)
        assert source is not None
        (root / "umqtt").mkdir(parents=True, exist_ok=True)
        (root / "umqtt" / "__init__.py").write_text("")
        (root / "umqtt" / "simple.py").write_bytes(source.read())
    return root


def _fetch(sdist: Path) -> None:
    """`pip download` finds the sdist; it then stops because the sdist has no setup.py, so the
    file is taken from the address pip names."""
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "-d", str(sdist.parent), f"{DISTRIBUTION}=={VERSION}"]
    if shutil.which(sys.executable) is None:
        pytest.skip("no pip to download umqtt.simple with")
    done = subprocess.run(pip, capture_output=True, text=True, timeout=120, check=False)
    if sdist.exists():
        return
    found = _SDIST_URL.search(done.stdout + done.stderr)
    if found is None:
        pytest.skip(f"pip could not find {DISTRIBUTION} {VERSION} (offline?)")
    try:
        with urllib.request.urlopen(found.group(0), timeout=60) as response:
            sdist.write_bytes(response.read())
    except OSError as error:
        pytest.skip(f"cannot download {found.group(0)}: {error}")
