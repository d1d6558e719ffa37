"""The `[calls]` section: what the exchange says and texts, and how it treats a busy line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.config.schema import in_range, non_empty, one_of, setting
from appliance.config.sections.call_speech import CallSpeechSettings
from appliance.config.shown_value import shown

LANGUAGES = ("fi", "en")
PROMPT_KEYS = ("greeting", "closed", "callback", "voicemail")

_SMS_FI = ("Kiitos soitostasi. Kaikki asiakaspalvelijamme olivat varattuina; "
           "soitamme sinulle takaisin mahdollisimman pian.")
_SMS_EN = ("Thank you for calling. All our agents were busy; we will call you back as soon as "
           "we can.")
_CLOSED_FI = "Kiitos soitostasi. Olemme nyt suljettu; soitamme sinulle takaisin, kun avaamme."
_CLOSED_EN = "Thank you for calling. We are closed now; we will call you back when we open."


def _retry_minutes(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "must list at least one delay in minutes, e.g. [15, 60, 240]"
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 1 for v in value):
        return "each delay must be a whole number of minutes, 1 or more"
    if value != sorted(value):
        return "delays must not get shorter, e.g. [15, 60, 240]"
    return None


@dataclass(frozen=True)
class AnnouncementSettings:
    """The announcement files of one line (paths on the modem, e.g. C:\\User\\greeting.amr)."""

    line: str = setting(doc="Line name, as in [[gsm.modems]] name", check=non_empty)
    greeting: str = setting("", "Played after answering, before the caller waits for an agent")
    closed: str = setting("", "Played outside business hours before hanging up")
    callback: str = setting("", "Played when nobody could take the call: 'we will call back'")
    voicemail: str = setting("", "Played before recording a message (lines that can record)")

    def files(self) -> dict[str, str]:
        """Prompt name -> file, for the prompts that are set."""
        return {key: getattr(self, key) for key in PROMPT_KEYS if getattr(self, key)}


@dataclass(frozen=True)
class CallDeskSettings:
    """How incoming calls are answered, handed over and, failing that, called back."""

    language: str = setting("fi", "Language of SMS to callers whose language is not known",
                            check=one_of(*LANGUAGES))
    sms_fi: str = setting(_SMS_FI, "SMS (Finnish) to a caller nobody could take",
                          check=non_empty)
    sms_en: str = setting(_SMS_EN, "SMS (English) to a caller nobody could take",
                          check=non_empty)
    closed_sms_fi: str = setting(_CLOSED_FI, "SMS (Finnish) to a caller outside business hours",
                                 check=non_empty)
    closed_sms_en: str = setting(_CLOSED_EN, "SMS (English) to a caller outside business hours",
                                 check=non_empty)
    sms_on_callback: bool = setting(True, "Text a caller whose call became a callback")
    sms_when_closed: bool = setting(True, "Text a caller who called outside business hours")
    waiting_calls: str = setting(
        "hold", "A second caller while the line is busy: hold (leave them waiting until the "
        "line is free) or busy (refuse with a callback and an SMS)",
        check=one_of("hold", "busy"))
    missed_offers_pause: int = setting(
        3, "Offered calls an agent may miss in a row before being set away; 0 = never",
        check=in_range(0, 100))
    callback_retry_minutes: list[int] = setting(
        doc="Minutes before each new try of a callback that did not reach the customer",
        factory=lambda: [15, 60, 240], check=_retry_minutes)
    assumed_talk_seconds: int = setting(
        180, "After a transfer the box cannot see the call end: the agent rests this long",
        check=in_range(0, 3600))
    service_level_seconds: int = setting(
        30, "A call answered within this many seconds meets the service level",
        check=in_range(1, 600))
    announcements: list[AnnouncementSettings] = setting(
        doc="One [[calls.announcements]] table per line that can play files", factory=list)
    announce_every_seconds: int = setting(
        45, "On a line whose audio goes through the box: a waiting caller hears their place "
        "and the expected wait again this often", check=in_range(10, 600))
    keypad_menu: bool = setting(
        True, "Offer a waiting caller 'press 1 for a callback, 2 to leave a message'")
    choice_timeout_seconds: int = setting(
        10, "After the longest wait, how long the caller has to press 1 or 2",
        check=in_range(3, 60))
    voicemail_max_seconds: int = setting(
        120, "The longest message a caller can leave", check=in_range(10, 600))
    speech: CallSpeechSettings = setting(
        factory=CallSpeechSettings, doc="What the box says to callers, in Finnish and English")

    def validate(self) -> list[str]:
        """No line has two announcement tables."""
        problems: list[str] = []
        seen: set[str] = set()
        for i, entry in enumerate(self.announcements):
            if entry is not None and entry.line in seen:
                problems.append(f"announcements[{i}].line: {shown(entry.line)} is listed twice")
            if entry is not None:
                seen.add(entry.line)
        return problems

    def prompts_for(self, line: str) -> dict[str, str]:
        """The announcement files of `line` (empty when none are configured)."""
        for entry in self.announcements:
            if entry is not None and entry.line == line:
                return entry.files()
        return {}
