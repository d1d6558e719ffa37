"""Run the daemon as the image ships it: with Aspa's modules compiled to bytecode beforehand.

The image compiles everything at build time (image/layer/install.sh), so the
box never compiles at start. A development checkout run with
PYTHONDONTWRITEBYTECODE (as here) would compile every module of `appliance`
at each start instead, which adds to both the start time and the resident
memory the benches measure. The bytecode goes to a folder of its own
(PYTHONPYCACHEPREFIX), never into the working tree.
"""

from __future__ import annotations

import compileall
import os
import sys
import tempfile
from pathlib import Path

import appliance

_PREFIX = Path(tempfile.gettempdir()) / "aspa-bench-pycache"


def shipped_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose Python finds Aspa's modules compiled, as on the box."""
    env = dict(os.environ if base is None else base)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(_PREFIX)
    return env


def compile_package() -> None:
    """Compile `appliance` into the bench's bytecode folder (files up to date are skipped)."""
    previous = sys.pycache_prefix  # compileall writes where this says
    sys.pycache_prefix = str(_PREFIX)
    try:
        compileall.compile_dir(Path(appliance.__file__).parent, quiet=1)
    finally:
        sys.pycache_prefix = previous
