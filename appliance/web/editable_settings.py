"""What the settings forms show: modems' PIN state (never the PIN), hours, ring groups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appliance.config_sections.business_hours import WEEKDAYS
from appliance.config_sections.ring_groups import STRATEGIES


def editable_settings(config: Any, config_path: Path | None) -> dict[str, Any]:
    """The values the admin forms start from; `writable` is False without a config file."""
    if config is None:
        return {"writable": False, "modems": [], "weekly": {}, "ring_groups": [],
                "strategies": STRATEGIES}
    modems = [{"number": i + 1, "name": m.name,
               "pin": "set" if (m.pin or m.pin_file) else "not set"}
              for i, m in enumerate(config.gsm.modems)]
    weekly = {day: ", ".join(getattr(config.business_hours.weekly, day)) for day in WEEKDAYS}
    groups = [{"number": i + 1, "name": g.name, "members": ", ".join(g.members),
               "strategy": g.strategy, "ring_timeout": g.ring_timeout}
              for i, g in enumerate(config.ring_groups)]
    return {"writable": config_path is not None, "modems": modems, "weekly": weekly,
            "ring_groups": groups, "strategies": STRATEGIES}
