"""The confirmation a page shows after a save: `?done=CODE` on the page it returned to."""

from __future__ import annotations

from aiohttp import web

from appliance.web.frame.i18n import Translate

DONE_PARAMETER = "done"


def flash_text(request: web.Request, t: Translate) -> str:
    """The confirmation named by the address's `done`, in the person's language; "" for none
    (an unknown code says nothing: the address is not a place to put text on the page)."""
    code = request.query.get(DONE_PARAMETER, "")
    if code == "saved":
        return t("Saved.")
    if code == "added":
        return t("Added.")
    if code == "password":
        return t("Password changed. Log in with the new password.")
    return ""


def done_address(path: str, code: str = "saved") -> str:
    """`path` with the confirmation to show there, before any #fragment."""
    address, hash_mark, fragment = path.partition("#")
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{DONE_PARAMETER}={code}{hash_mark}{fragment}"
