"""The live-settings port: a saved aspa.toml put to work without restarting the daemon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from appliance.config.aspa_toml import Config


@dataclass(frozen=True, slots=True)
class Applied:
    """What a saved configuration did: the parts restarted, the sections waiting for a restart."""

    restarted: tuple[str, ...] = ()
    needs_restart: tuple[str, ...] = ()  # every saved one since the start, not only this


class LiveSettings(Protocol):
    """The daemon as the settings pages reach it (appliance.runtime.live_config in the box)."""

    async def apply(self, config: Config) -> Applied:
        """Restart only the parts whose sections changed; name those only a restart applies."""

    def restart_daemon(self) -> None:
        """Stop the daemon so that systemd starts it again (exit code 75, Restart=on-failure)."""
