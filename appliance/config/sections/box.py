"""The `[box]` section: who this box is, where it is and whom it talks to."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.config import value_checks
from appliance.config.schema import in_range, one_of, setting


@dataclass(frozen=True)
class BoxSettings:
    """This box's name, time zone, language and home country."""

    name: str = setting(
        "aspa",
        "Name of this box in MQTT topics and host names (lowercase letters, digits, '-')",
        check=value_checks.hostname_label,
    )
    time_zone: str = setting(
        "Europe/Helsinki",
        "IANA time zone for business hours, daily figures and the times shown to people",
        check=value_checks.time_zone,
    )
    language: str = setting(
        "fi", "Default language of the web pages and of messages to customers: fi or en",
        check=one_of("fi", "en"),
    )
    country_code: int = setting(
        358,
        "Country calling code that local numbers such as 040 123 4567 are read in (358 = Finland)",
        check=in_range(1, 999),
    )
