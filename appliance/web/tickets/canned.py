"""Canned responses: short answers an agent inserts with one click, per language."""

from __future__ import annotations

from appliance.web.frame.i18n import catalogue

CANNED_KEY = "canned:"  # catalogue entries "canned:<title>" hold the response's text

ENGLISH = {
    "Thanks": "Thank you for your message. We are looking into it and will get back to you soon.",
    "Solved": "We have fixed this. Please let us know if anything is still wrong.",
    "More details": "Could you tell us a little more, e.g. when this happened and what you saw?",
}


def canned_responses(language: str) -> list[tuple[str, str]]:
    """(title, text) pairs in `language`, English where there is no translation."""
    texts = catalogue(language) if language != "en" else {}
    out = []
    for title, text in ENGLISH.items():
        out.append((texts.get(title, title), texts.get(CANNED_KEY + title, text)))
    return out
