"""What the privacy pages need from the box: data folder, country code, lines, nightly run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.ports.lines import LinesPort


def _no_run() -> Any:
    return None


@dataclass(frozen=True, slots=True)
class PrivacyParts:
    """The settings and running parts that export, erasure and the retention read-out use."""

    data_dir: Path
    country_code: str = "358"
    box_name: str = "Aspa"
    policy: Sequence[tuple[str, int]] = ()
    # the phone lines, for sweeping the SIMs after an erasure; None on a box without GSM
    lines: LinesPort | None = None
    # the nightly retention adapter, None when no retention is configured
    retention: Callable[[], Any] = field(default=_no_run)

    @property
    def attachments_root(self) -> Path:
        """Where attachment files live (imported on first use: the mail package is large)."""
        from appliance.store.attachment_folder import attachments_dir

        return attachments_dir(self.data_dir)

    @property
    def export_dir(self) -> Path:
        """Archives are written here, served, then deleted (on the data disk, not in RAM)."""
        return self.data_dir / "exports"
