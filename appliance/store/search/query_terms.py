"""What a person typed into the search box, as plain terms the index can answer.

Anything typed is safe: only letters and digits survive (FTS syntax, quotes, SQL and
emoji are dropped, as the index drops them), at most `MAX_TERMS` terms of at most
`MAX_TERM_CHARS` each. Word forms meet through the Snowball stemmers of Finnish and
English (the `snowballstemmer` package: the Snowball project's own algorithms, pure
Python, so the same wheel runs on the box's arm64): a term matches every indexed word
that begins with one of its stems, so *laskussa* finds *lasku* and *laskun*, and
*invoices* finds *invoice* and *invoiced*.

Why stems at search time and not in the index: FTS5's tokenizers cannot be extended from
Python and none stems Finnish, so the index keeps the words as written and each searched
word is widened to its stems; one index, built the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from appliance.store.contact_normalising import normalise_phone

MAX_QUERY_CHARS = 1_000  # more is pasted text, not a search: the rest is not read
MAX_TERMS = 8
MAX_TERM_CHARS = 64
MIN_STEM_CHARS = 3  # a shorter stem as a prefix matches half the language
MIN_PHONE_DIGITS = 5
LANGUAGES = ("finnish", "english")

WORD = re.compile(r"[^\W_]+")  # letters and digits: where FTS5's unicode61 splits
_PHONE_LIKE = re.compile(r"^\+?[\d\s\-./()]+$")


@dataclass(frozen=True, slots=True)
class SearchTerm:
    """One word of the search: an indexed word matches when it begins with a prefix."""

    word: str
    prefixes: tuple[str, ...]
    exact: bool = False  # a short word or a number: the word itself, not words it begins


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, ...]:
    # imported at the first search, not at start: the package loads the stemmers of all its
    # ~30 languages (2.8 MB resident), which an idle box need not hold
    import snowballstemmer

    return tuple(snowballstemmer.stemmer(language) for language in LANGUAGES)


def stems_of(word: str) -> tuple[str, ...]:
    """The shortest set of prefixes that covers the word's Finnish and English stems."""
    lowered = word.lower()
    found = {s.stemWord(lowered) for s in _stemmers()}
    candidates = sorted({stem for stem in found if len(stem) >= MIN_STEM_CHARS} | {lowered},
                        key=len)
    kept: list[str] = []
    for candidate in candidates:
        if not any(candidate.startswith(k) for k in kept):
            kept.append(candidate)
    return tuple(kept)


def _phone_term(text: str) -> SearchTerm | None:
    if not _PHONE_LIKE.match(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    normalised = normalise_phone(text).lstrip("+")
    # whole numbers only: a number is one word in the index, and PostgreSQL's planner
    # guesses a prefix of digits far too common (then reads every row for it)
    return SearchTerm(text, tuple(dict.fromkeys((normalised, digits))), exact=True)


def terms_of(typed: str) -> list[SearchTerm]:
    """The terms of a search; empty when nothing searchable was typed."""
    text = typed[:MAX_QUERY_CHARS].strip()
    phone = _phone_term(text)
    if phone is not None:
        return [phone]
    words = dict.fromkeys(w.lower()[:MAX_TERM_CHARS] for w in WORD.findall(text))
    return [_word_term(word) for word in list(words)[:MAX_TERMS]]


def _word_term(word: str) -> SearchTerm:
    if word.isdigit() or len(word) < MIN_STEM_CHARS:
        return SearchTerm(word, (word,), exact=True)
    return SearchTerm(word, stems_of(word))
