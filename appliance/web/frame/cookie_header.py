"""One cookie's value from the Cookie header, read without parsing all of them (RFC 6265 §5.4)."""

from __future__ import annotations

from aiohttp import web


def cookie_named(request: web.Request, name: str) -> str:
    """The first `name=value` pair's value in the request's Cookie header; "" when absent.

    Only for cookies this box sets, whose values are plain tokens (no quotes, no escapes):
    the whole header is not parsed into a SimpleCookie on every request.
    """
    header = request.headers.get("Cookie")
    if not header or name not in header:
        return ""
    for pair in header.split(";"):
        key, sep, value = pair.strip().partition("=")
        if sep and key == name:
            return value
    return ""
