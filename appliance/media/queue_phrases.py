""""You are number N in the queue", "the expected wait is N minutes": sentences built from pieces.

Each sentence is a list of piece keys (`position.before`, `n.20`, `n.3`,
`position.after`); every piece is rendered once (speech_cache.py) before
any caller waits, and a sentence is the pieces' PCM joined with short
pauses. Numbers are said up to 99 (positions and minutes above are said as
99: a queue that long wants a callback, not a count). Finnish takes the
partitive after numbers other than one ("kaksi minuuttia", "yksi minuutti").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .pcm import PcmFormat

LANGUAGES: Final = ("fi", "en")
MAX_SAID: Final = 99
PAUSE_S: Final = 0.08

_UNITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
             "seventeen", "eighteen", "nineteen")
_TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS_FI = ("nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän",
             "kahdeksan", "yhdeksän", "kymmenen", "yksitoista", "kaksitoista", "kolmetoista",
             "neljätoista", "viisitoista", "kuusitoista", "seitsemäntoista", "kahdeksantoista",
             "yhdeksäntoista")
_TENS_FI = ("", "", "kaksikymmentä", "kolmekymmentä", "neljäkymmentä", "viisikymmentä",
            "kuusikymmentä", "seitsemänkymmentä", "kahdeksankymmentä", "yhdeksänkymmentä")

_WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "position.before": "You are number",
        "position.after": "in the queue.",
        "wait.before": "The expected wait is",
        "wait.minute": "minute.",
        "wait.minutes": "minutes.",
        "wait.under_minute": "The expected wait is less than one minute.",
    },
    "fi": {
        "position.before": "Olette jonossa numero",
        "wait.before": "Arvioitu odotusaika on",
        "wait.minute": "minuutti.",
        "wait.minutes": "minuuttia.",
        "wait.under_minute": "Arvioitu odotusaika on alle minuutin.",
    },
}


def _number_texts(language: str) -> dict[str, str]:
    units, tens = (_UNITS_FI, _TENS_FI) if language == "fi" else (_UNITS_EN, _TENS_EN)
    texts = {f"n.{i}": word for i, word in enumerate(units)}
    texts.update({f"n.{10 * t}": tens[t] for t in range(2, 10)})
    return texts


def pieces(language: str) -> dict[str, str]:
    """Every piece of this language: key -> text to render."""
    if language not in _WORDS:
        raise ValueError(f"no phrases for language {language!r}")
    texts = dict(_WORDS[language])
    texts.update(_number_texts(language))
    return texts


def number_keys(n: int) -> list[str]:
    """The pieces that say `n` (0..99; larger values are said as 99)."""
    n = max(0, min(n, MAX_SAID))
    if n < 20:
        return [f"n.{n}"]
    tens, unit = divmod(n, 10)
    return [f"n.{10 * tens}"] + ([f"n.{unit}"] if unit else [])


def position_keys(language: str, position: int) -> list[str]:
    """'You are number N in the queue.'"""
    keys = ["position.before", *number_keys(position)]
    if "position.after" in pieces(language):
        keys.append("position.after")
    return keys


def wait_keys(language: str, wait_seconds: float) -> list[str]:
    """'The expected wait is N minutes.' (rounded up; under a minute said as such)."""
    if wait_seconds < 60:
        return ["wait.under_minute"]
    minutes = min(int(-(-wait_seconds // 60)), MAX_SAID)
    return ["wait.before", *number_keys(minutes),
            "wait.minute" if minutes == 1 else "wait.minutes"]


def assemble(keys: list[str], rendered: Mapping[str, bytes], fmt: PcmFormat) -> bytes:
    """The pieces' PCM in order with short pauses; KeyError names a piece not rendered."""
    pause = bytes(fmt.byte_count(PAUSE_S))
    missing = [key for key in keys if key not in rendered]
    if missing:
        raise KeyError(f"pieces not rendered: {', '.join(missing)}")
    return pause.join(rendered[key] for key in keys)
