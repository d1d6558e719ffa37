"""Phone numbers to E.164 and email addresses to one spelling, so a customer is found again."""

from __future__ import annotations

import re

from appliance.store.errors import InvalidInput

E164_MAX_DIGITS = 15  # ITU-T E.164 §6.1: country code + national number
INTERNATIONAL_PREFIX = "00"  # the ITU-recommended international call prefix, used in Finland
TRUNK_PREFIX = "0"  # national (trunk) prefix: 040 1234567 is +358 40 1234567
_SEPARATORS = re.compile(r"[\s\-./()\u00a0]")
_OPTIONAL_TRUNK = re.compile(r"\(0\)")  # "+358 (0)40 ..." as printed on business cards
_EMAIL_PARTS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_phone(raw: str, default_country_code: str | None = "358") -> str:
    """E.164 (+35840...) where the number allows it; other numbers as their digits.

    An alphanumeric sender (an SMS from "Posti") is kept as written, trimmed.
    """
    text = raw.strip()
    if not text:
        raise InvalidInput("empty phone number")
    compact = _SEPARATORS.sub("", _OPTIONAL_TRUNK.sub("", text))
    has_plus = compact.startswith("+")
    digits = compact[1:] if has_plus else compact
    if not digits.isdigit():
        return text
    if has_plus:
        international = digits
    elif digits.startswith(INTERNATIONAL_PREFIX):
        international = digits[len(INTERNATIONAL_PREFIX):]
    elif digits.startswith(TRUNK_PREFIX) and default_country_code and len(digits) > 1:
        international = default_country_code + digits[len(TRUNK_PREFIX):]
    else:
        return digits  # short codes and service numbers have no international form
    if not international or len(international) > E164_MAX_DIGITS or international[0] == "0":
        return digits
    return "+" + international


def normalise_email(raw: str) -> str:
    """An address lower-cased and trimmed, without <> or mailto:."""
    text = raw.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):]
    address = text.lower()
    if not _EMAIL_PARTS.match(address):
        raise InvalidInput(f"not an email address: {raw!r}")
    return address
