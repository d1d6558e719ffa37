"""What the forms "This box" and "Callers" start from, and the time zones to choose from."""

from __future__ import annotations

from functools import cache
from typing import Any

# The form's fields: [calls] keys, and [queue].default_group
SMS_TEXTS = ("sms_fi", "sms_en", "closed_sms_fi", "closed_sms_en")
CHOICES = ("language", "waiting_calls")
FLAGS = ("sms_on_callback", "sms_when_closed", "keypad_menu")
NUMBERS = ("announce_every_seconds", "choice_timeout_seconds", "voicemail_max_seconds",
           "missed_offers_pause", "assumed_talk_seconds", "service_level_seconds")
RETRIES = "callback_retry_minutes"
GROUP = "default_group"  # in [queue]
FIELDS = (*SMS_TEXTS, *CHOICES, *FLAGS, *NUMBERS, RETRIES, GROUP)


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone this box knows, sorted (read once: about 600 names)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def box_values(config: Any) -> dict[str, Any]:
    """[box] as the form shows it; `hours_zone` when the business hours keep a zone of their
    own (business_hours.time_zone), which the hours and the times shown then follow."""
    box = config.box
    hours_zone = config.time_zone if config.time_zone != box.time_zone else ""
    return {"name": box.name, "language": box.language, "time_zone": box.time_zone,
            "country_code": box.country_code, "hours_zone": hours_zone}


def caller_values(config: Any) -> dict[str, Any]:
    """[calls] and [queue].default_group as the form shows them; retry minutes as "15, 60"."""
    calls = config.calls
    values: dict[str, Any] = {name: getattr(calls, name)
                              for name in (*SMS_TEXTS, *FLAGS, *NUMBERS)}
    values.update(language=calls.language, waiting_calls=calls.waiting_calls,
                  callback_retry_minutes=", ".join(str(m) for m in calls.callback_retry_minutes),
                  default_group=config.queue.default_group,
                  groups=[g.name for g in config.ring_groups])
    return values
