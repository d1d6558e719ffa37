"""Every failure as a clear 4xx page (or JSON for the API), never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from appliance.ports.mail_desk import MailRefused
from appliance.presence.errors import PresenceError
from appliance.store.errors import InvalidInput, NotFound
from appliance.tickets.errors import TicketError
from appliance.web.frame.i18n import language_of, translator

log = logging.getLogger("aspa.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TITLES = {
    400: "The request was not understood",
    401: "Log in first",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "That cannot be done now",
    413: "Too large",
    429: "Too many attempts",
}


class WebInputError(ValueError):
    """A form or JSON field is missing or wrong; the message names it."""


class FieldError(WebInputError):
    """One field is missing or wrong. The message (for the API and logs) names the field; a
    page shows the field's label and `what` in the person's language (problem_text.py)."""

    def __init__(self, field: str, what: str, **values: object) -> None:
        self.field = field
        self.what = what  # a catalogue text: "required", "too long: at most {count} characters"
        self.values = values
        verb = "" if what.startswith("must") else "is "  # "name is required", "pin must be …"
        super().__init__(f"{field} {verb}{what.format(**values)}")


def wants_json(request: web.Request) -> bool:
    """True for the JSON API and for clients that ask for JSON."""
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", "")


def error_response(request: web.Request, status: int, detail: str) -> web.Response:
    """A small page (or JSON) saying what went wrong; values escaped by the template."""
    if wants_json(request):
        return web.json_response({"error": detail}, status=status)
    from appliance.web.frame.rendering import render

    t = translator(language_of(request))
    title = t(TITLES.get(status, "Something went wrong"))
    return render(request, "error.html", status=status, title=title, detail=detail)


def _known_failure(error: Exception, request: web.Request) -> tuple[int, str] | None:
    if isinstance(error, FieldError) and not wants_json(request):
        from appliance.web.frame.problem_text import field_error_text

        return 400, field_error_text(error, translator(language_of(request)))
    if isinstance(error, WebInputError | InvalidInput | PresenceError):
        return 400, str(error)
    if isinstance(error, NotFound):
        return 404, str(error)
    if isinstance(error, TicketError):
        return 409, str(error)
    if isinstance(error, MailRefused):
        return 409, str(error)
    return None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors and refused input into pages that say what happened."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        detail = error.text or error.reason
        if detail.startswith(f"{error.status}:"):
            detail = error.reason  # aiohttp's own default text
        response = error_response(request, error.status, detail)
        for name in ("Retry-After", "Allow"):
            if name in error.headers:
                response.headers[name] = error.headers[name]
        return response
    except Exception as error:
        known = _known_failure(error, request)
        if known is None:
            log.exception("web: %s %s failed", request.method, request.path)
            return error_response(request, 500, "Something went wrong on the box; see its log.")
        return error_response(request, *known)
