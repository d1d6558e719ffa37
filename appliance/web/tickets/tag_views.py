"""POST /tickets/{number}/tags and /tickets/{number}/tags/remove: tag a ticket, untag it.

A tag that cannot be used (empty, too long, control characters) is refused with the reason
in the person's language; the ticket keeps the tags it had.
"""

from __future__ import annotations

from aiohttp import web

from appliance.store.ticket_tags import TAG_MAX_CHARS, BadTag, add_tag, remove_tag
from appliance.web.frame import forms
from appliance.web.frame.app_keys import BACKEND
from appliance.web.frame.errors import FieldError, wants_json

TYPED_MAX_CHARS = 4 * TAG_MAX_CHARS  # room for spaces the normalising takes out


def typed_tag(fields: forms.Fields) -> str:
    """The `tag` field as typed; far too long a text is refused before it is normalised."""
    value = fields.get("tag")
    if isinstance(value, str) and len(value) > TYPED_MAX_CHARS:
        raise FieldError("tag", "too long: at most {count} characters", count=TAG_MAX_CHARS)
    return forms.text(fields, "tag", max_chars=TYPED_MAX_CHARS)


async def _change(request: web.Request, *, adding: bool) -> web.StreamResponse:
    number = forms.path_number(request, "number")
    fields = await forms.submitted(request)
    typed = typed_tag(fields)
    backend = request.app[BACKEND]
    try:
        if adding:
            tags = await backend.store.call(add_tag, number, typed, backend.clock.now())
        else:
            tags = await backend.store.call(remove_tag, number, typed)
    except BadTag as error:
        raise FieldError("tag", error.what, **error.values) from None
    if wants_json(request):
        return web.json_response({"ok": True, "number": number, "tags": tags})
    raise web.HTTPSeeOther(f"/tickets/{number}#tags")


async def tag_add(request: web.Request) -> web.StreamResponse:
    """Add the tag in field `tag`."""
    return await _change(request, adding=True)


async def tag_remove(request: web.Request) -> web.StreamResponse:
    """Remove the tag in field `tag`."""
    return await _change(request, adding=False)
