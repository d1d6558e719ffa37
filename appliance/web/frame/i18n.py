"""Finnish and English: one JSON catalogue per language, the English text as the key."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from aiohttp import web

from appliance.web.frame.app_keys import BACKEND, SESSION
from appliance.web.frame.cookie_header import cookie_named

CATALOGUE_DIR = Path(__file__).parent.parent / "translations"
LANGUAGES = ("fi", "en")
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "aspa_lang"  # the choice made before logging in
SETUP_PATH = "/setup"

Translate = Callable[..., str]


@cache
def catalogue(language: str) -> dict[str, str]:
    """English text → the text in `language` (English needs no entries)."""
    path = CATALOGUE_DIR / f"{language}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=8)
def translator(language: str) -> Translate:
    """A function giving the text in `language`, with `{name}` fields filled in."""
    texts = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE)

    def translate(text: str, **fields: object) -> str:
        found = texts.get(text, text)
        return found.format(**fields) if fields else found

    return translate


def plural(t: Translate, one: str, other: str, count: int, **fields: object) -> str:
    """`one` or `other` by `count`, translated: Finnish and English both use "one" for 1
    and "other" for every other whole number (CLDR plural rules), so two texts suffice."""
    return t(one if count == 1 else other, count=count, **fields)


@lru_cache(maxsize=256)  # browsers send the same few headers on every request
def from_accept_language(header: str) -> str | None:
    """The first of our languages the browser asks for (RFC 9110 §12.5.4), by q-value."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else None


def language_of(request: web.Request) -> str:
    """The user's chosen language, else the cookie's; on the setup pages the box's own
    (box.language: the installer sets up the box for this office), elsewhere the browser's;
    a browser that asks for neither gets the box's; a client that names no language at all
    (a script) gets English."""
    session = request.get(SESSION)
    if session is not None and session.who.language in LANGUAGES:
        return str(session.who.language)
    cookie = cookie_named(request, LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    box = _box_language(request)
    if box is not None and request.path.startswith(SETUP_PATH):
        return box
    asked = request.headers.get("Accept-Language", "")
    return from_accept_language(asked) or (box if asked and box else DEFAULT_LANGUAGE)


def _box_language(request: web.Request) -> str | None:
    """box.language of the running configuration; None on a box without one (a test)."""
    config = request.app[BACKEND].config
    language = getattr(getattr(config, "box", None), "language", None)
    return language if language in LANGUAGES else None
