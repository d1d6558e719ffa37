"""Placeholders in saved replies: `{customer_name}` and the like, filled in for one ticket.

One pass of a regular expression over the text, never `str.format`: a reply's text is
typed by people, and `str.format` would read `{0.__class__}` or `{x!r:>99999999}` in it.
Only the four names below are placeholders; anything else between braces stays as it
was written, and a value put in is never read again for placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name", "opening_hours")

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# what a person may have meant as a placeholder: a word (and what follows it on the line, as
# in `{name!r}` or `{0.x}`) between braces, spaces allowed
_LOOKS_LIKE_ONE = re.compile(r"\{\s*(\w[^{}\n]{0,60}?)\s*\}")


def fill_placeholders(text: str, values: Mapping[str, str | None]) -> str:
    """`text` with each known placeholder that has a value replaced by it; the rest as written.

    A placeholder without a value here (a ticket with no customer) stays visible, so the
    agent sees what to fill in before sending.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name) if name in PLACEHOLDERS else None
        return match.group(0) if value is None or value == "" else value

    return _PLACEHOLDER.sub(value_of, text)


def unknown_placeholders(text: str) -> list[str]:
    """What looks like a placeholder but is none of ours, as written, each once, in order."""
    found: list[str] = []
    for match in _LOOKS_LIKE_ONE.finditer(text):
        written = match.group(0)
        if match.group(1) in PLACEHOLDERS and written == "{" + match.group(1) + "}":
            continue
        if written not in found:
            found.append(written)
    return found
