"""Reading submitted fields, from a form or a JSON body, with limits and clear refusals."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from aiohttp import web

from appliance.web.frame.errors import FieldError, WebInputError

Fields = Mapping[str, object]


async def submitted(request: web.Request) -> Fields:
    """The request's fields: a JSON object for the API, else the form."""
    if request.content_type == "application/json":
        try:
            data = json.loads(await request.text())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise WebInputError(f"the body is not valid JSON: {error}") from None
        if not isinstance(data, dict):
            raise WebInputError("the body must be a JSON object")
        return data
    form = await request.post()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def text(fields: Fields, name: str, *, max_chars: int, required: bool = True) -> str:
    """A text field, stripped; refused when missing (if required), not text or too long."""
    value = fields.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(name, "must be text")
    value = value.strip()
    if required and not value:
        raise FieldError(name, "required")
    if len(value) > max_chars:
        raise FieldError(name, "too long: at most {count} characters", count=max_chars)
    return value


PORT_MAX = 10  # characters: a port that is not a number still reaches the loader's check


def port_text(fields: Fields, default: str) -> str:
    """The `port` field as text for the loader to check; `default` when left empty. The JSON
    API may send it as a number."""
    value = fields.get("port")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(fields, "port", max_chars=PORT_MAX, required=False) or default


def optional_id(fields: Fields, name: str) -> int | None:
    """A row id, or None when the field is empty."""
    value = fields.get(name, "")
    if value in ("", None):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        number = int(value.strip())
    else:
        raise FieldError(name, "must be a number")
    if number <= 0:
        raise FieldError(name, "must be a positive number")
    return number


def required_id(fields: Fields, name: str) -> int:
    """A row id that must be there."""
    number = optional_id(fields, name)
    if number is None:
        raise FieldError(name, "required")
    return number


def choice(fields: Fields, name: str, allowed: Sequence[str]) -> str:
    """One of `allowed`."""
    value = fields.get(name, "")
    if value not in allowed:
        raise FieldError(name, "must be one of {allowed}", allowed=", ".join(allowed))
    return str(value)


def flag(fields: Fields, name: str) -> bool:
    """A checkbox (form: present) or a JSON boolean."""
    value = fields.get(name)
    return value is True or value in ("on", "1", "true", "yes")


def path_number(request: web.Request, name: str) -> int:
    """A number from the URL path; 404 for anything else."""
    raw = request.match_info.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise web.HTTPNotFound(text=f"no such {name}: {raw[:40]}")
    return int(raw)
