"""The spellings under which a person's numbers and addresses may sit in stored text and bytes.

A number reaches the store as the modem or the SIP line printed it
(+358401234567, 358401234567, 0401234567, 00358401234567) and inside a raw
SMS PDU as swapped semi-octets (3GPP TS 23.040 §9.1.2.3); an address in any
letter case. Erasure and export look for every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from appliance.store.contact_normalising import (
    INTERNATIONAL_PREFIX,
    TRUNK_PREFIX,
    normalise_phone,
)
from appliance.store.errors import InvalidInput

ERASED = "[erased]"
SEPARATOR = r"[ \-./]?"  # between the digits of a number written for people
MIN_NEEDLE_DIGITS = 5  # shorter numbers (112, service codes) are not a person's and match anywhere


@dataclass
class Needles:
    """A person's numbers (every spelling) and email addresses (lower case)."""

    phones: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)

    def add_phone(self, raw: str | None, country_code: str | None) -> None:
        """Add a number in each spelling it may have been stored in."""
        if not raw:
            return
        try:
            stored = normalise_phone(raw, country_code)
        except InvalidInput:
            return
        spellings = {raw.strip(), stored}
        if stored.startswith("+"):
            digits = stored[1:]
            spellings |= {digits, INTERNATIONAL_PREFIX + digits}
            if country_code and digits.startswith(country_code):
                spellings.add(TRUNK_PREFIX + digits[len(country_code):])
        self.phones |= {s for s in spellings if sum(c.isdigit() for c in s) >= MIN_NEEDLE_DIGITS}

    def add_email(self, raw: str | None) -> None:
        """Add an address (compared without regard to case)."""
        text = (raw or "").strip().strip("<>").strip().lower()
        if "@" in text:
            self.emails.add(text)

    @property
    def texts(self) -> list[str]:
        """Every needle as text, longest first (so a longer spelling is replaced whole)."""
        return sorted(self.phones | self.emails, key=len, reverse=True)

    def pattern(self) -> str:
        """A regular expression for any needle standing on its own.

        Boundaries keep maija@x.fi from matching anna.maija@x.fi and 0401234567
        from matching 04012345678: someone else's data is never touched.
        """
        parts = [(len(e), rf"(?<![\w.%+-]){re.escape(e)}(?![\w-])(?!\.\w)") for e in self.emails]
        # a number quoted in text may be grouped: "+358 40 123 4567", "040-123 4567"
        parts += [(len(p), r"(?<!\d)" + SEPARATOR.join(re.escape(c) for c in p) + r"(?!\d)")
                  for p in self.phones]
        return "|".join(part for _, part in sorted(parts, reverse=True)) or r"(?!x)x"

    def pdu_forms(self) -> set[bytes]:
        """The numbers as the hex semi-octets of an SMS PDU's address field."""
        forms = set()
        for phone in self.phones:
            digits = phone.lstrip("+")
            if digits.isdigit():
                forms.add(semi_octets_hex(digits).encode("ascii"))
        return forms

    def found_in_text(self, text: str | None) -> bool:
        """Whether any needle occurs in this text."""
        return bool(text) and re.search(self.pattern(), text or "", re.IGNORECASE) is not None

    def found_in_bytes(self, data: bytes) -> bool:
        """Whether any needle occurs in these bytes (a raw mail or the hex PDUs of an SMS)."""
        if re.search(self.pattern().encode("utf-8"), data, re.IGNORECASE):
            return True
        upper = data.upper()
        return any(form in upper for form in self.pdu_forms())

    def blot(self, text: str) -> str:
        """The text with every needle replaced by a marker."""
        if not text or not self:
            return text
        return re.sub(self.pattern(), ERASED, text, flags=re.IGNORECASE)

    def __bool__(self) -> bool:
        return bool(self.phones or self.emails)


def semi_octets_hex(digits: str) -> str:
    """Digits as TS 23.040 §9.1.2.3 semi-octets in hex: '35840' -> '5348F0'."""
    padded = digits + ("F" if len(digits) % 2 else "")
    return "".join(padded[i + 1] + padded[i] for i in range(0, len(padded), 2)).upper()


def phones_and_emails(values: Iterable[tuple[str, str]], country_code: str | None) -> Needles:
    """Needles from (kind, value) contact pairs."""
    needles = Needles()
    for kind, value in values:
        if kind == "phone":
            needles.add_phone(value, country_code)
        elif kind == "email":
            needles.add_email(value)
    return needles
