"""The labels of the forms "This box" and "Callers", by key path, and what the loader says
is wrong with their values, for problem_text.py."""

from __future__ import annotations

_BOX = {"name": "Name of the box", "language": "Language", "time_zone": "Time zone",
        "country_code": "Country calling code"}
_CALLS = {
    "sms_fi": "Nobody could take the call (Finnish)",
    "sms_en": "Nobody could take the call (English)",
    "closed_sms_fi": "Called outside business hours (Finnish)",
    "closed_sms_en": "Called outside business hours (English)",
    "language": "Language for unknown callers",
    "waiting_calls": "A second caller while the line is busy",
    "announce_every_seconds": "Place in the queue said every (s)",
    "choice_timeout_seconds": "Time to press a key (s)",
    "voicemail_max_seconds": "Longest message (s)",
    "callback_retry_minutes": "Callback retries after (minutes)",
    "callback_retry_minutes[]": "Callback retries after (minutes)",
    "missed_offers_pause": "Missed calls before an agent is set away",
    "assumed_talk_seconds": "Rest after a transferred call (s)",
    "service_level_seconds": "Service level: answered within (s)",
    "sms_on_callback": "When to text", "sms_when_closed": "When to text",
    "keypad_menu": "Keypad menu",
}
BOX_AND_CALLER_LABELS: dict[str, str] = {
    **{f"box.{key}": label for key, label in _BOX.items()},
    **{f"calls.{key}": label for key, label in _CALLS.items()},
    "queue.default_group": "Ring group that answers first",
}
# The form's field names → labels, for a value refused before the loader sees it.
BOX_AND_CALLER_FIELDS: dict[str, str] = {
    "time_zone": "Time zone", "country_code": "Country calling code",
    **{key: label for key, label in _CALLS.items()
       if not key.endswith("]") and key != "language"},  # "Language" is shared
    "default_group": "Ring group that answers first",
}
# (pattern of what the loader says, the catalogue text)
CALLER_WHAT: tuple[tuple[str, str], ...] = (
    (r"^must be text$", "must be text"),
    (r"^too long: at most (?P<count>\d+) characters$", "too long: at most {count} characters"),
    (r"^must be lowercase letters, digits and '-' \(at most 63\), not .*$",
     "must be lowercase letters, digits and - (at most 63)"),
    (r"^unknown time zone (?P<value>'.*') \(use an IANA name such as 'Europe/Helsinki'\)$",
     "unknown time zone {value}: choose one from the list, e.g. Europe/Helsinki"),
    (r"^must list at least one delay in minutes, e\.g\. \[15, 60, 240\]$",
     "give at least one delay in minutes, e.g. 15, 60, 240"),
    (r"^each delay must be a whole number of minutes, 1 or more$",
     "each delay must be a whole number of minutes, 1 or more"),
    (r"^delays must not get shorter, e\.g\. \[15, 60, 240\]$",
     "delays must not get shorter, e.g. 15, 60, 240"),
    (r"^no ring group is named (?P<name>'.*') \(.*\)$", "no ring group is named {name}"),
)
