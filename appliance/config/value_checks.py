"""Checks for single values in aspa.toml: each returns what is wrong, or None."""

from __future__ import annotations

import ipaddress
import re
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from appliance.config.shown_value import shown

# ITU-T E.164 §6.1: at most 15 digits after the "+", the country code never starts with 0.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# RFC 1123 §2.1: a host name label is letters, digits and hyphens, not starting/ending with "-".
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_HOST_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"{_HOST_LABEL}(\.{_HOST_LABEL})*")
_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def time_zone(value: Any) -> str | None:
    """An IANA time zone name that zoneinfo knows, e.g. Europe/Helsinki."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {shown(value)} (use an IANA name such as 'Europe/Helsinki')"
    return None


def time_zone_or_empty(value: Any) -> str | None:
    """Empty (= inherit) or a time zone."""
    return None if value == "" else time_zone(value)


def hostname_label(value: Any) -> str | None:
    """One lowercase host name label; also safe as an MQTT topic level."""
    if _LABEL.fullmatch(value):
        return None
    return f"must be lowercase letters, digits and '-' (at most 63), not {shown(value)}"


def host(value: Any) -> str | None:
    """An IP address or a DNS host name."""
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    if _HOST.fullmatch(value) and len(value) <= 253:
        return None
    return f"must be an IP address or a host name, not {shown(value)}"



def port(value: Any) -> str | None:
    """A TCP port number."""
    return None if 1 <= value <= 65535 else f"must be a port number 1-65535, not {value}"


def e164(value: Any) -> str | None:
    """Empty or an international phone number in E.164 form."""
    if value == "" or _E164.fullmatch(value):
        return None
    return f"must be an international number like '+358401234567', not {shown(value)}"


def sip_uri(value: Any) -> str | None:
    """Empty or a sip:/sips: URI (RFC 3261 §19.1)."""
    if value == "" or (value.startswith(("sip:", "sips:")) and "@" in value and " " not in value):
        return None
    return f"must be a SIP URI like 'sip:anna@pbx.example.fi', not {shown(value)}"


def login(value: Any) -> str | None:
    """A login: lowercase letters, digits, '.', '_' and '-'."""
    if _LOGIN.fullmatch(value):
        return None
    return f"must be lowercase letters, digits, '.', '_' or '-', not {shown(value)}"



def clock_time(text: str) -> time | None:
    """Parse "HH:MM" (00:00-23:59, plus 24:00 for the end of the day); None if malformed."""
    if text == "24:00":
        return time.max
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def interval(text: Any) -> tuple[time, time] | str:
    """Parse "08:00-16:00" into (start, end), or say what is wrong with it."""
    if not isinstance(text, str):
        return f"must be a string like '08:00-16:00', not {type(text).__name__} {shown(text)}"
    start_text, sep, end_text = text.partition("-")
    start, end = clock_time(start_text.strip()), clock_time(end_text.strip())
    if not sep or start is None or end is None or start == time.max:
        return f"must be like '08:00-16:00', not {shown(text)}"
    if end <= start:
        return f"{shown(text)} ends before it starts"
    return start, end


def calendar_date(value: Any) -> date | str:
    """A date given as "2026-12-24" or as a TOML date; or what is wrong with it."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and len(value) == len("2026-12-24"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return f"must be a date like '2026-12-24', not {shown(value)}"
