"""The loader's problems (`key.path: what`) as a person reads them: the form field's label and
what is wrong, in their language. The JSON API and the logs keep the key paths."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from appliance.web.frame.caller_labels import (
    BOX_AND_CALLER_FIELDS,
    BOX_AND_CALLER_LABELS,
    CALLER_WHAT,
)
from appliance.web.frame.i18n import Translate

if TYPE_CHECKING:
    from appliance.web.frame.errors import FieldError

_INDEX = re.compile(r"\[\d+\]")
_MAILBOX = {
    "name": "Name (for logs and this page)", "host": "IMAP server", "port": "Port",
    "security": "Security", "user": "User name", "password": "Password",
    "password_file": "Password", "folder": "Folder",
    "mark": "Move taken mail to folder (empty: mark it read)",
}
_SMTP = {
    "host": "SMTP server", "port": "Port", "security": "Security", "user": "User name",
    "password": "Password", "password_file": "Password", "from_name": "Sender name",
    "from_address": "Sender address", "from_mailbox": "Server and login",
}
_SLA = {p: p.title() for p in ("urgent", "high", "normal", "low")}
_WEEKDAYS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
             "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}
# A key path, its list indices written [], → the label of the form field that sets it.
LABELS: dict[str, str] = {
    **{f"mail.mailboxes[].{key}": label for key, label in _MAILBOX.items()},
    **{f"mailbox.{key}": label for key, label in _MAILBOX.items()},  # a test of typed values
    **{f"mail.smtp.{key}": label for key, label in _SMTP.items()},
    **{f"business_hours.weekly.{day}": label for day, label in _WEEKDAYS.items()},
    **{f"business_hours.weekly.{day}[]": label for day, label in _WEEKDAYS.items()},
    "business_hours.holidays": "Holidays", "business_hours.holidays[]": "Holidays",
    "business_hours.half_days": "Half days", "business_hours.half_days[]": "Half days",
    "gsm.modems[].pin": "SIM PIN", "gsm.modems[].pin_file": "SIM PIN",
    "ring_groups[].members": "Members (agent logins, in ring order)",
    "ring_groups[].members[]": "Members (agent logins, in ring order)",
    "ring_groups[].strategy": "Strategy", "ring_groups[].ring_timeout": "Ring timeout (s)",
    "mqtt.host": "Broker host", "mqtt.port": "Port", "mqtt.username": "User name",
    "mqtt.password": "Password", "mqtt.password_file": "Password",
    "mqtt.topic_prefix": "Topic prefix", "mqtt.discovery_prefix": "Discovery prefix",
    "desk_units[].id": "Unit id (lowercase letters, digits and -)", "desk_units[].agent": "Agent",
    "backup.target": "Target folder (empty = no scheduled backup)",
    "backup.at": "Time of day (HH:MM)", "backup.keep": "Backups kept",
    "voip.registrar": "Registrar (host or host:port; empty = no registration)",
    "voip.proxy": "Outbound proxy (empty = none)", "voip.user": "User name",
    "voip.password": "Password", "voip.password_file": "Password",
    "voip.display_name": "Name shown to the people the box calls",
    "voip.transport": "Transport", "voip.sip_port": "Local SIP port",
    "gpio.desks[].agent": "Agent", "gpio.desks[].button_pin": "Button pin (GPIO number)",
    "gpio.desks[].green_pin": "Green LED pin", "gpio.desks[].red_pin": "Red LED pin",
    **{f"sla.{p}.first_response_minutes": f"{word}: first reply within (minutes)"
       for p, word in _SLA.items()},
    **{f"sla.{p}.resolution_minutes": f"{word}: resolved within (minutes)"
       for p, word in _SLA.items()},
    "sla.business_hours_only": "Count only office hours",
    "routing.vip_priority": "A VIP customer's new work is at least",
    "routing.account_manager": "Work of a customer with an account manager",
    "routing.offer_first_minutes": "Minutes the account manager has the work first",
    "routing.managers_for_vips_only": "VIPs only",
    "escalation.warn_at_percent": "Warn when this share of the time has passed (%)",
    "escalation.breach_priority": "A missed ticket's priority becomes",
    "escalation.breach_reassign": "A missed ticket is given to",
    "escalation.breach_tell_team": "Tell the team",
    **BOX_AND_CALLER_LABELS,
}
# What the loader says is wrong → the catalogue text, with the named parts filled in.
_WHAT: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), text) for p, text in (
    (r"^required$", "required"),
    (r"^required for a new mailbox$", "required for a new mailbox"),
    (r"^required, an address like (?P<example>\S+)$", "required, an address like {example}"),
    (r"^must not be empty$", "must not be empty"),
    (r"^must be an integer, not .*$", "must be a whole number"),
    (r"^must be a number, not .*$", "must be a number"),
    (r"^must be a string, not .*$", "must be text"),
    (r"^must be one of (?P<allowed>.+), not .*$", "must be one of {allowed}"),
    (r"^must be at least (?P<low>[\d.]+), not .*$", "must be at least {low}"),
    (r"^must be at most (?P<high>[\d.]+), not .*$", "must be at most {high}"),
    (r"^(?P<value>'.*') is already used by .*$", "{value} is already in use"),
    (r"^no mailbox is named (?P<name>'.*') \(known: (?P<known>.*)\)$",
     "no mailbox is named {name} (known: {known})"),
    (r"^must be 'seen' or 'move:<folder>', not .*$", "must be a folder name"),
    (r"^must name at least one agent login$", "must name at least one agent login"),
    (r"^must be a date like '2026-12-24' or, every year, '12-24', not .*$",
     "must be a date like 2026-12-24 or, every year, 12-24"),
    (r"^must be a date and hours like '12-23 08:00-12:00', not .*$",
     "must be a date and hours like 12-23 08:00-12:00"),
    (r"^must be like '08:00-16:00', not .*$", "must be hours like 08:00-16:00"),
    (r"^(?P<value>'.*') ends before it starts$", "{value} closes before it opens"),
    (r"^(?P<value>'.*'): the hours overlap$", "{value}: the hours overlap"),
    (r"^(?P<value>[0-9-]+) is listed twice$", "{value} is listed twice"),
    (r"^must be a BCM GPIO number 2-27, not .*$", "must be a BCM GPIO number 2-27"),
    (r"^GPIO (?P<pin>\d+) is already used by (?P<other>\S+)$",
     "GPIO {pin} is already used by {other}"),
    (r"^must be a host name or address, optionally with :port, not .*$",
     "must be a host name or address, optionally with :port"),
    (r"^(?P<value>\d+) is shorter than first_response_minutes \((?P<first>\d+)\)$",
     "{value} is shorter than the time to the first reply ({first})"),
    (r"^no active agent has the login (?P<login>'.*')$", "no active agent has the login {login}"),
    (r"^must be true or false, not .*$", "must be on or off"),
    (r"^must not contain spaces, ';', '\"', '<' or '>' .*$",
     "must not contain spaces, ';', '\"', '<' or '>'"),
    *CALLER_WHAT,
))


def generic_key(key: str) -> str:
    """`mail.mailboxes[0].password` → `mail.mailboxes[].password`."""
    return _INDEX.sub("[]", key)


def what_text(what: str, t: Translate) -> str:
    """What is wrong, in the page's language; a text without a translation stays as it is."""
    for pattern, text in _WHAT:
        match = pattern.match(what)
        if match is not None:
            return t(text, **match.groupdict()) if match.groupdict() else t(text)
    return what


def problem_text(problem: str, t: Translate) -> str:
    """One problem as the page shows it: `Password: required for a new mailbox`."""
    key, separator, what = problem.partition(": ")
    label = LABELS.get(generic_key(key)) if separator else None
    if label is None:
        return problem  # a key with no form field (a hand-edited file): the key helps most
    return f"{t(label)}: {what_text(what, t)}"


# A form field's name → its label on the page (forms of several pages share the common ones).
FIELD_LABELS: dict[str, str] = {
    "name": "Name", "login": "Login", "password": "Password", "role": "Role",
    "current": "Current password", "new": "New password", "body": "Message",
    "subject": "Subject", "channel": "Channel", "folder": "Folder", "port": "Port",
    "user": "User name", "security": "Security", "pin": "SIM PIN", "holidays": "Holidays",
    "half_days": "Half days",
    "members": "Members (agent logins, in ring order)", "strategy": "Strategy",
    "ring_timeout": "Ring timeout (s)", "from_name": "Sender name",
    "from_address": "Sender address", "test_to": "Send the test mail to",
    "until": "Pending until",
    "title": "Title", "text": "Text", "shortcut": "Shortcut", "language": "Language",
    "kind": "Kind", "saved_reply": "Saved reply",
    "cc": "CC", "sender_name": "Your name in replies",
    "signature": "Signature",
    "tag": "Tag", "notes": "What was agreed", "outcome": "Outcome",
    "follow_up": "Follow up on (optional)", "waits": "Waits per",
    "notice_email": "Email address for notices", "quiet_start": "Quiet hours from",
    "quiet_end": "Quiet hours until", "way_sms": "SMS",
    **{day: label for day, label in _WEEKDAYS.items()},
    **BOX_AND_CALLER_FIELDS,
}


def field_error_text(error: FieldError, t: Translate) -> str:
    """`Name: required`, in the page's language; a field without a label keeps its name."""
    label = FIELD_LABELS.get(error.field)
    shown = t(label) if label is not None else error.field
    return f"{shown}: {t(error.what, **error.values)}"
