"""What `aspa doctor` shows for the VoIP line: baresip present, and the running line's state.

The running daemon's supervisor writes `status.json` (state, registration,
last error) under the data directory; the doctor reads it rather than
starting a second baresip on the same SIP port.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.config.sections.voip import VoipSettings
from appliance.doctor.registry import Finding, doctor_check
from appliance.voip.baresip_files import APP_MODULES, MODULE_DIR, MODULES
from appliance.voip.supervisor import STATUS_FILE

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config

VOIP_DIR = "voip"


def status_path(data_dir: Path, settings: VoipSettings) -> Path:
    """Where the running line keeps its status for the doctor."""
    return data_dir / VOIP_DIR / settings.name / STATUS_FILE


def read_status(path: Path) -> dict[str, Any] | None:
    """The line's last written status; None when the daemon never ran it."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def describe_line(settings: VoipSettings, status: dict[str, Any] | None,
                  module_dir: str = MODULE_DIR) -> Finding:
    """One row: is baresip there, and how registration stood when the daemon last wrote."""
    program = shutil.which(settings.baresip)
    if program is None:
        return Finding("voip", "fail", f"{settings.baresip} not found: install the Debian "
                       "package baresip-core (apt-get install -y baresip-core)")
    missing = [m for m in (*MODULES, *APP_MODULES) if not (Path(module_dir) / m).exists()]
    if missing:
        return Finding("voip", "fail", f"baresip modules missing in {module_dir}: "
                       f"{', '.join(missing)} (reinstall baresip-core)")
    if settings.call_sound == "box":
        if shutil.which(settings.jackd) is None:
            return Finding("voip", "fail", f"{settings.jackd} not found: call_sound = box needs "
                           "the JACK server (apt-get install -y jackd2)")
        if not (Path(module_dir) / "jack.so").exists():
            return Finding("voip", "fail", f"baresip's jack module is missing in {module_dir} "
                           "(reinstall baresip-core)")
    account = settings.aor + (f" via {settings.registrar}" if settings.registrar else
                              " (not registering)")
    if status is None:
        return Finding("voip", "warn", f"{settings.name}: {account}; the daemon has not run "
                       "the line yet (is `aspa run` up?)")
    state, registration = status.get("state", "?"), status.get("registration", "?")
    error = status.get("last_error") or ""
    detail = (f"{settings.name}: {account}; baresip {state}, registration {registration}, "
              f"restarts {status.get('restarts', 0)}" + (f"; last error: {error}" if error else "")
              + f" (as of {status.get('at', '?')})")
    good = state == "up" and registration in ("registered", "not registering")
    return Finding("voip", "ok" if good else "fail", detail)


@doctor_check("voip")
def voip_line(config: Config) -> Finding:
    """The VoIP line: installed, running, registered; the last error it met."""
    settings = config.voip
    if not settings.enabled:
        return Finding("voip", "off", "voip is not enabled")
    return describe_line(settings, read_status(status_path(config.data_path, settings)))
