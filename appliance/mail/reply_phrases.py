"""The words the box adds to a reply (quote header, closing), in the customer's language."""

from __future__ import annotations

from datetime import datetime

LANGUAGES = ("fi", "en")
PHRASES: dict[str, dict[str, str]] = {
    "fi": {"wrote": "{name} kirjoitti {date}:", "closing": "Ystävällisin terveisin",
           "date": "%d.%m.%Y klo %H.%M", "someone": "Asiakas"},
    "en": {"wrote": "On {date}, {name} wrote:", "closing": "Best regards",
           "date": "%d %b %Y at %H:%M", "someone": "The customer"},
}
# strftime's %b follows the process's locale; English month names are fixed here.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def reply_language(customer_language: str | None, box_language: str) -> str:
    """The customer's language when it is known and one the box writes, else the box's."""
    for candidate in (customer_language, box_language):
        code = (candidate or "").strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return LANGUAGES[0]


def quote_header(language: str, name: str, at: datetime) -> str:
    """"Liisa kirjoitti 7.12.2026 klo 9.05:" / "On 7 Dec 2026 at 09:05, Liisa wrote:"."""
    words = PHRASES[language]
    pattern = words["date"].replace("%b", _MONTHS[at.month - 1])
    return words["wrote"].format(name=name or words["someone"], date=at.strftime(pattern))


def closing(language: str) -> str:
    """The greeting above the sender's name when the agent has no signature of their own."""
    return PHRASES[language]["closing"]
