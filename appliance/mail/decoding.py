"""Turning the bytes and encoded words real mail carries into text, whatever they claim."""

from __future__ import annotations

import codecs
import re
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message

# Mail that lies about its charset is nearly always UTF-8 or Windows-1252 (a superset
# of ISO-8859-1 for printable text); cp1252 cannot fail on the bytes it does define.
FALLBACK_CHARSETS = ("utf-8", "cp1252")
_ALIASES = {"unknown-8bit": "utf-8", "x-unknown": "utf-8", "us-ascii": "utf-8", "ascii": "utf-8",
            "iso-8859-8-i": "iso-8859-8", "ks_c_5601-1987": "cp949", "gb2312": "gb18030",
            "windows-874": "cp874"}
_FOLD = re.compile(r"\r?\n[ \t]*")
_SPACES = re.compile(r"[ \t]+")


def codec_for(charset: str | None) -> str | None:
    """The Python codec for a MIME charset name, or None when unknown."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode body bytes by the declared charset, falling back when it is wrong or unknown."""
    codec = codec_for(charset)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    for fallback in FALLBACK_CHARSETS:
        try:
            return data.decode(fallback)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def undo_surrogates(value: str) -> str:
    """Recover raw 8-bit header bytes (kept as surrogates by the parser) as text."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return decode_bytes(value.encode("ascii", "surrogateescape"), None)


def decode_header_text(value: object) -> str:
    """Decode a header's RFC 2047 encoded words and raw 8-bit bytes into one unfolded line."""
    if value is None:
        return ""
    text = undo_surrogates(str(value))
    text = _FOLD.sub(" ", text)
    if "=?" not in text:
        return _SPACES.sub(" ", text).strip()
    try:
        parts = decode_header(text)
    except (HeaderParseError, ValueError, LookupError):
        return _SPACES.sub(" ", text).strip()
    out = []
    for chunk, charset in parts:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return _SPACES.sub(" ", "".join(out)).strip()


def header_index(msg: Message) -> dict[str, list[str]]:
    """Every header's values as sent, by lower-case name: one pass for all the look-ups."""
    index: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        index.setdefault(key.lower(), []).append(undo_surrogates(str(value)))
    return index


def raw_header_values(msg: Message, name: str) -> list[str]:
    """A header's values as sent, raw 8-bit bytes recovered (compat32 would replace them)."""
    wanted = name.lower()
    return [undo_surrogates(str(v)) for k, v in msg.raw_items() if k.lower() == wanted]


def raw_header(msg: Message, name: str) -> str:
    """The first value of a header as sent, '' when absent."""
    values = raw_header_values(msg, name)
    return values[0] if values else ""
