"""Content-Type and Content-Disposition parameters as compat32's Message reads them, without its
cost for the plain values nearly all mail carries.

`Message.get_param` splits and unquotes the whole header on every call (three or four
calls per MIME part: charset, file name, boundary). A value without backslashes, RFC 2231
`*` names or a `;` inside quotes gives the same answer from a plain split; anything else
goes to the stdlib.
"""

from __future__ import annotations

from email.message import Message
from email.utils import collapse_rfc2231_value

_MISSING = object()


def plain_params(value: str) -> dict[str, str] | None:
    """{lower-case name: unquoted value} of a header value, the first of each name, as
    `get_param` would return them; None when the value needs the stdlib's full reading."""
    if "\\" in value or "*" in value:
        return None
    params: dict[str, str] = {}
    for piece in value.split(";"):
        if piece.count('"') % 2:
            return None  # a quoted `;`: the stdlib joins the pieces
        name, equals, found = piece.partition("=")
        if equals:
            name, found = name.strip().lower(), found.strip()
            if len(found) > 1 and (found[0], found[-1]) in (('"', '"'), ("<", ">")):
                found = found[1:-1]
            if '"' in found:
                return None
        else:
            name, found = piece.strip().lower(), ""
        params.setdefault(name, found)
    return params


def get_param(msg: Message, name: str, header: str = "content-type") -> object:
    """msg.get_param(name, None, header)."""
    found = _first_param(msg, name, header)
    return None if found is _MISSING else found


def content_charset(msg: Message) -> str | None:
    """msg.get_content_charset()."""
    value = msg.get("content-type", _MISSING)
    params = None if value is _MISSING else plain_params(str(value))
    if params is None:
        return msg.get_content_charset()
    charset = params.get("charset")
    if charset is None or not charset.isascii():
        return None
    return charset.lower()


def filename(msg: Message) -> str | None:
    """msg.get_filename()."""
    found = _first_param(msg, "filename", "content-disposition")
    if found is _MISSING:
        found = _first_param(msg, "name", "content-type")
    if found is _MISSING:
        return None
    return str(collapse_rfc2231_value(found)).strip()  # type: ignore[arg-type]


def boundary(msg: Message) -> str | None:
    """msg.get_boundary()."""
    found = _first_param(msg, "boundary", "content-type")
    if found is _MISSING:
        return None
    return str(collapse_rfc2231_value(found)).rstrip()  # type: ignore[arg-type]


def _first_param(msg: Message, name: str, header: str) -> object:
    value = msg.get(header, _MISSING)
    if value is _MISSING:
        return _MISSING
    params = plain_params(str(value))
    if params is None:
        return msg.get_param(name, _MISSING, header)
    return params.get(name, _MISSING)
