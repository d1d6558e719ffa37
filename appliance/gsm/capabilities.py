"""What this modem and this line can do, found out at run time (for doctor and fallbacks)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Capabilities:
    """Features and whether they worked: True (answered OK), False (refused), absent (untried)."""

    features: dict[str, bool] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)

    def record(self, feature: str, works: bool, detail: str = "") -> None:
        """Remember the latest answer for `feature`."""
        self.features[feature] = works
        if detail:
            self.details[feature] = detail
        else:
            self.details.pop(feature, None)

    def works(self, feature: str) -> bool | None:
        """True/False when tried, None when never tried."""
        return self.features.get(feature)

    def as_dict(self) -> dict[str, str]:
        """feature -> "yes" / "no (why)" for display."""
        out: dict[str, str] = {}
        for name, works in sorted(self.features.items()):
            detail = self.details.get(name)
            out[name] = "yes" if works else (f"no ({detail})" if detail else "no")
        return out
