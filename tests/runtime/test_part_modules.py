"""The modules the daemon imports while the store opens cover what wiring imports for its parts.

A module wiring.py imports inside a builder and part_modules() forgets is imported only after
the store's file check, on READY's path; this reads wiring.py itself, so a new part cannot be
forgotten unseen.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from appliance.config.aspa_toml import load_config
from appliance.runtime import wiring
from appliance.runtime.wiring import part_modules

EVERY_PART = """
[web]
port = 0
[gsm]
enabled = true
[[gsm.modems]]
name = "gsm0"
device = "/dev/gsm-modem"
model = "sim7600"
voice_device = "/dev/gsm-voice"
[voip]
enabled = true
[mqtt]
enabled = true
[[mail.mailboxes]]
name = "tuki"
host = "imap.example.fi"
user = "tuki"
password = "salasana"
[mail.smtp]
host = "smtp.example.fi"
from_address = "tuki@example.fi"
[gpio]
enabled = true
pin_factory = "mock"
[[agents]]
login = "liisa"
name = "Liisa"
[[desk_units]]
id = "desk-liisa"
agent = "liisa"
password = "yksikko-salasana"
"""


def _imported_by_builders() -> set[str]:
    """Every `from appliance... import` inside a function of wiring.py."""
    tree = ast.parse(Path(wiring.__file__).read_text())
    found: set[str] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("appliance."):
                found.add(node.module or "")
    return found


def test_every_part_on_imports_every_module_its_builders_import(tmp_path: Path) -> None:
    config_path = tmp_path / "aspa.toml"
    config_path.write_text(f'data_dir = "{tmp_path / "data"}"\n{EVERY_PART}')
    config = load_config(config_path)
    listed = part_modules(config)
    builders = _imported_by_builders()
    assert len(builders) > 15  # the scan found the builders' imports
    # the ports and rules the builders use for types are imported with the daemon already
    needed = {name for name in builders if not name.startswith(("appliance.ports.",
                                                                 "appliance.queue."))}
    assert needed - set(listed) == set()
    for name in listed:
        importlib.import_module(name)  # each one names a module that is there


def test_a_part_switched_off_costs_no_import(tmp_path: Path) -> None:
    config_path = tmp_path / "aspa.toml"
    config_path.write_text(f'data_dir = "{tmp_path / "data"}"\n[web]\nport = 0\n')
    listed = part_modules(load_config(config_path))
    assert "appliance.web.adapter" in listed
    for off in ("appliance.gsm.line", "appliance.voip.adapter", "appliance.mqtt.adapter",
                "appliance.gpio.adapter", "appliance.mail.intake", "appliance.desk.adapter",
                "appliance.media.media_engine"):
        assert off not in listed
