"""The `web` section of aspa.toml: where the LAN page listens and how long a login lasts."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config.schema import in_range, non_empty, setting


@dataclass(frozen=True)
class WebSettings:
    """The whole `web` section."""

    enabled: bool = setting(True, "serve the LAN web page")
    host: str = setting("127.0.0.1", "address to listen on; 0.0.0.0 for the whole LAN",
                        check=non_empty)
    port: int = setting(8080, "TCP port of the web page", check=in_range(0, 65535))
    session_hours: float = setting(12.0, "a login ends after this many hours without use",
                                   check=in_range(0.1, 24 * 30))
    session_max_days: float = setting(
        30.0, "a login ends this many days after it began, however much it is used (the "
        "wallboard screen logs in again this often)", check=in_range(0.1, 365))
    secure_cookies: bool = setting(False, "mark cookies Secure; set when served behind HTTPS")
