"""A setting's value as a problem line shows it: quoted, and cut when long.

A file can hold a 100 KB value by mistake (a pasted certificate, a runaway line);
echoing it whole would bury the one line that says what is wrong, on the terminal
and in the journal alike.
"""

from __future__ import annotations

from typing import Any

SHOWN_CHARS = 80


def shown(value: Any) -> str:
    """repr(value), or its first SHOWN_CHARS characters and how long it really is."""
    text = repr(value)
    if len(text) <= SHOWN_CHARS:
        return text
    length = len(value) if isinstance(value, str | bytes | list | tuple | dict) else len(text)
    return f"{text[:SHOWN_CHARS]}… ({length} characters)"
