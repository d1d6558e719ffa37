"""The words of a search marked in a text: an excerpt as plain segments, marked or not.

Segments stay plain text: the page's template escapes every one and wraps the marked
ones in <mark>, so nothing a customer wrote is ever taken as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from appliance.store.search.query_terms import SearchTerm

EXCERPT_CHARS = 180
LEAD_CHARS = 50  # context kept before the first marked word


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text, and whether it is a searched word."""

    text: str
    marked: bool

    def json(self) -> list[object]:
        return [self.text, self.marked]


@lru_cache(maxsize=64)
def _pattern(terms: tuple[SearchTerm, ...]) -> re.Pattern[str]:
    """One expression for the words the terms match (`SearchTerm.matches`), whole words."""
    alternatives = []
    for term in terms:
        prefixes = "|".join(re.escape(p) for p in term.prefixes)
        tail = "(?![^\\W_])" if term.exact else "[^\\W_]*"
        alternatives.append(f"(?:{prefixes}){tail}")
    return re.compile(f"(?<![^\\W_])(?:{'|'.join(alternatives)})", re.IGNORECASE)


def _spans(text: str, terms: list[SearchTerm]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _pattern(tuple(terms)).finditer(text)]


def is_marked(text: str, terms: list[SearchTerm]) -> bool:
    """Whether any searched word is in the text."""
    return bool(_spans(text, terms))


def marked(text: str, terms: list[SearchTerm], *, width: int = EXCERPT_CHARS) -> list[Segment]:
    """An excerpt of at most `width` characters around the first searched word, marked."""
    flat = " ".join(text.split())
    spans = _spans(flat, terms)
    start = 0
    if spans and spans[0][0] > LEAD_CHARS and len(flat) > width:
        start = flat.rfind(" ", 0, spans[0][0] - LEAD_CHARS) + 1
    end = min(len(flat), start + width)
    segments: list[Segment] = [Segment("…", False)] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        if span_start > position:
            segments.append(Segment(flat[position:span_start], False))
        segments.append(Segment(flat[span_start:span_end], True))
        position = span_end
    if position < end:
        segments.append(Segment(flat[position:end], False))
    if end < len(flat):
        segments.append(Segment("…", False))
    return segments
