"""What the privacy pages need from the box: data folder, country code, lines, nightly run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.runtime.daemon import Daemon


def _no_lines() -> Sequence[Any]:
    return ()


def _no_run() -> Any:
    return None


@dataclass(frozen=True, slots=True)
class PrivacyParts:
    """The settings and running parts that export, erasure and the retention read-out use."""

    data_dir: Path
    country_code: str = "358"
    box_name: str = "Aspa"
    policy: Sequence[tuple[str, int]] = ()
    # the AT channels of the GSM lines that are up (for sweeping the SIM after an erasure)
    sim_channels: Callable[[], Sequence[Any]] = field(default=_no_lines)
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

    @classmethod
    def for_daemon(cls, daemon: Daemon) -> PrivacyParts:
        """The parts of a started daemon; lines and the nightly run are looked up when used."""
        config = daemon.config

        def sim_channels() -> list[Any]:
            from appliance.gsm.line import GsmLineAdapter

            found = []
            for adapter in daemon.supervisor.adapters:
                if isinstance(adapter, GsmLineAdapter):
                    channel = adapter.driver.sms.channel
                    if channel is not None and channel.is_open:
                        found.append(channel)
            return found

        def retention() -> Any:
            for adapter in daemon.supervisor.adapters:
                if adapter.name == "retention":
                    return adapter
            return None

        return cls(data_dir=config.data_path, country_code=str(config.box.country_code),
                   box_name=config.box.name,
                   policy=tuple(config.retention.policy()), sim_channels=sim_channels,
                   retention=retention)
