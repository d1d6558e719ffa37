"""A phone number as people read it: grouped the way its country writes it.

Numbers are stored in E.164 (+358401234567); the page shows them in the international
format of ITU-T E.123 (+358 40 1234567), grouped by the `phonenumbers` library's metadata.
A number it cannot parse (a short code, an SMS sender's name) is shown as it is.
"""

from __future__ import annotations

# phonenumbers (0.9 MB with its metadata) is imported by the first number shown, not at
# start: a daemon idling with no page open never needs it.


def shown_number(number: str | None, default_region: str = "FI") -> str:
    """`number` grouped for reading; "" for none."""
    if not number:
        return ""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def waited_text(seconds: float) -> str:
    """How long someone has waited, as a clock reads: 0:07, 2:05, 1:02:05."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def region_of(country_code: str | int) -> str:
    """The region ("FI") a country calling code (358) stands for first."""
    import phonenumbers

    return phonenumbers.region_code_for_country_code(int(country_code))
