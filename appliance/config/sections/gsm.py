"""The `[gsm]` section: whether the GSM line is used, and its `[[gsm.modems]]`."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import setting
from appliance.config.sections.gsm_modems import ModemSettings
from appliance.config.shown_value import shown


@dataclass(frozen=True)
class GsmSettings:
    """The GSM line and its modems."""

    enabled: bool = setting(False, "Answer calls and SMS on the GSM modems below")
    modems: list[ModemSettings] = setting(doc="One [[gsm.modems]] table per modem", factory=list)

    def validate(self) -> list[str]:
        """An enabled line needs a modem; no name or device is used twice."""
        problems: list[str] = []
        if self.enabled and not self.modems:
            problems.append("modems: gsm is enabled but no [[gsm.modems]] is configured")
        for key in ("name", "device"):
            seen: set[str] = set()
            for i, modem in enumerate(self.modems):
                value = getattr(modem, key)
                if value in seen:
                    problems.append(f"modems[{i}].{key}: {shown(value)} is used by another modem")
                seen.add(value)
        return problems
